// Validates every tasks/*/task.json:
//  - against the official task schema, `../shared/schemas/tasks.schema.json` beside the repository,
//    when that file exists (draft-04, so ajv-draft-04 with unicodeRegExp off);
//  - against the rules tfx-cli and Microsoft's task tooling apply on top of the schema, and this
//    project's own (Node20_1 + Node24 handlers on index.js, minimumAgentVersion 4.248.0 or later,
//    helpMarkDown on every input, ungrouped inputs before grouped ones, settable variables exactly
//    the output variables).
// Prints one line per problem naming the file and field; exits non-zero when there is any.
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import { repoRoot, readJson, TASK_FOLDER, isMain } from './tasks.mjs';

export const schemaPath = path.resolve(repoRoot, '..', 'shared', 'schemas', 'tasks.schema.json');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MIN_AGENT = [4, 248, 0];
const REQUIRED_HANDLERS = ['Node20_1', 'Node24'];
const END_OF_LIFE_HANDLERS = ['Node', 'Node6', 'Node10', 'Node16'];
const INPUT_TYPES = new Set(['boolean', 'filePath', 'multiLine', 'pickList', 'radio', 'secureFile', 'string', 'int', 'identities', 'querycontrol']);

const nonEmpty = (value) => typeof value === 'string' && value.trim() !== '';

function compareVersions(a, b) {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The rules beyond the schema. Returns `[field, problem]` pairs. */
export function checkTask(task, folder) {
  const problems = [];
  const add = (field, problem) => problems.push([field, problem]);

  if (!UUID.test(task.id ?? '')) add('id', `must be a UUID, is ${JSON.stringify(task.id)}`);
  if (!/^[A-Za-z0-9]+$/.test(task.name ?? '')) add('name', `must be letters and digits only, is ${JSON.stringify(task.name)}`);
  if (!nonEmpty(task.friendlyName)) add('friendlyName', 'is required');
  else if (task.friendlyName.length > 40) add('friendlyName', `is ${task.friendlyName.length} characters; at most 40`);
  for (const field of ['description', 'author', 'category', 'helpMarkDown', 'instanceNameFormat']) {
    if (!nonEmpty(task[field])) add(field, 'is required');
  }

  const v = task.version ?? {};
  for (const part of ['Major', 'Minor', 'Patch']) {
    if (!Number.isInteger(v[part]) || v[part] < 0) add(`version.${part}`, `must be a non-negative integer (a number, not a string), is ${JSON.stringify(v[part])}`);
  }
  if (folder && TASK_FOLDER.test(folder) && Number.isInteger(v.Major) && folder !== `${task.name}V${v.Major}`) {
    add('name', `folder ${folder} should be named ${task.name}V${v.Major} (task name and major version)`);
  }

  const agent = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(task.minimumAgentVersion ?? '');
  if (!agent) add('minimumAgentVersion', `must be a version such as 4.248.0, is ${JSON.stringify(task.minimumAgentVersion)}`);
  else if (compareVersions(agent.slice(1).map((n) => Number(n ?? 0)), MIN_AGENT) < 0) {
    add('minimumAgentVersion', `${task.minimumAgentVersion} is older than ${MIN_AGENT.join('.')}, the minimum Microsoft gives for tasks with the Node20_1 handler`);
  }

  const execution = task.execution ?? {};
  for (const handler of REQUIRED_HANDLERS) {
    if (!execution[handler]) add(`execution.${handler}`, 'is required');
    else if (execution[handler].target !== 'index.js') add(`execution.${handler}.target`, `must be index.js, is ${JSON.stringify(execution[handler].target)}`);
  }
  for (const handler of END_OF_LIFE_HANDLERS) {
    if (execution[handler]) add(`execution.${handler}`, 'is an end-of-life Node handler; remove it');
  }

  const groups = new Set();
  (task.groups ?? []).forEach((group, i) => {
    if (!nonEmpty(group.name)) add(`groups[${i}].name`, 'is required');
    if (!nonEmpty(group.displayName)) add(`groups[${i}].displayName`, 'is required');
    if (groups.has(group.name)) add(`groups[${i}].name`, `duplicate group '${group.name}'`);
    groups.add(group.name);
  });

  const inputs = task.inputs ?? [];
  const firstGrouped = inputs.findIndex((input) => input.groupName !== undefined);
  inputs.forEach((input, i) => {
    if (firstGrouped >= 0 && i > firstGrouped && input.groupName === undefined) {
      add(`inputs[${i}] (${input.name ?? '?'})`, `is in no group but comes after the grouped input ${inputs[firstGrouped].name}; put ungrouped inputs first`);
    }
  });
  const inputNames = new Set(inputs.map((input) => input.name));
  const seen = new Set();
  inputs.forEach((input, i) => {
    const at = `inputs[${i}] (${input.name ?? '?'})`;
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(input.name ?? '')) add(`${at}.name`, 'must start with a letter and hold only letters and digits');
    if (seen.has(input.name)) add(`${at}.name`, 'duplicate input name');
    seen.add(input.name);
    if (!nonEmpty(input.label)) add(`${at}.label`, 'is required');
    if (!nonEmpty(input.helpMarkDown)) add(`${at}.helpMarkDown`, 'is required: say what the input does, its default and an example');
    const type = input.type ?? '';
    if (!INPUT_TYPES.has(type) && !/^connectedService:.+$/.test(type)) add(`${at}.type`, `unknown type ${JSON.stringify(type)}`);
    if (input.groupName !== undefined && !groups.has(input.groupName)) add(`${at}.groupName`, `no group named '${input.groupName}'`);
    if (type === 'boolean' && input.defaultValue !== undefined && !['true', 'false'].includes(String(input.defaultValue))) {
      add(`${at}.defaultValue`, 'a boolean input defaults to "true" or "false"');
    }
    if (type === 'pickList' || type === 'radio') {
      const options = Object.keys(input.options ?? {});
      if (options.length === 0) add(`${at}.options`, `a ${type} input needs options`);
      else if (nonEmpty(input.defaultValue) && !options.includes(input.defaultValue) && input.properties?.EditableOptions !== 'True') {
        add(`${at}.defaultValue`, `'${input.defaultValue}' is not one of the options (${options.join(', ')})`);
      }
    }
    if (input.visibleRule !== undefined) {
      for (const [, name] of input.visibleRule.matchAll(/([A-Za-z][A-Za-z0-9]*)\s*(?:=|!=|<|>|NotEndsWith|EndsWith|NotContains|Contains)/g)) {
        if (!inputNames.has(name)) add(`${at}.visibleRule`, `refers to '${name}', which is not an input`);
      }
    }
  });

  for (const [, name] of (task.instanceNameFormat ?? '').matchAll(/\$\(([^)]+)\)/g)) {
    if (!inputNames.has(name)) add('instanceNameFormat', `refers to $(${name}), which is not an input`);
  }

  const outputs = new Set();
  (task.outputVariables ?? []).forEach((output, i) => {
    if (!nonEmpty(output.name)) add(`outputVariables[${i}].name`, 'is required');
    if (!nonEmpty(output.description)) add(`outputVariables[${i}].description`, 'is required');
    if (outputs.has(output.name)) add(`outputVariables[${i}].name`, `duplicate output variable '${output.name}'`);
    outputs.add(output.name);
  });

  // The agent refuses any other variable a task sets; restricted command mode would also refuse the
  // run summary (task.uploadsummary), so the task sets its commands free and its variables fixed.
  const allowed = task.restrictions?.settableVariables?.allowed;
  if (!Array.isArray(allowed)) add('restrictions.settableVariables.allowed', 'is required: the names of the output variables');
  else {
    const extra = allowed.filter((name) => !outputs.has(name));
    const absent = [...outputs].filter((name) => !allowed.includes(name));
    if (extra.length > 0) add('restrictions.settableVariables.allowed', `names ${extra.join(', ')}, which are not output variables`);
    if (absent.length > 0) add('restrictions.settableVariables.allowed', `lacks the output variables ${absent.join(', ')}`);
  }
  if (task.restrictions?.commands?.mode === 'restricted') add('restrictions.commands.mode', 'restricted mode blocks the run summary; leave it out');

  if (typeof task.messages !== 'object' || task.messages === null || Array.isArray(task.messages)) add('messages', 'must be an object of message keys and texts');
  else {
    for (const [key, text] of Object.entries(task.messages)) {
      if (!nonEmpty(text)) add(`messages.${key}`, 'must be a non-empty string');
    }
  }
  return problems;
}

/** Loads the official schema when it is beside the repository; undefined otherwise. */
export function loadSchemaValidator(file = schemaPath) {
  if (!fs.existsSync(file)) return undefined;
  const ajv = new Ajv({ strict: false, unicodeRegExp: false, allErrors: true });
  return ajv.compile(readJson(file));
}

function main() {
  const tasksDir = path.join(repoRoot, 'tasks');
  const files = fs.existsSync(tasksDir)
    ? fs.readdirSync(tasksDir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && fs.existsSync(path.join(tasksDir, d.name, 'task.json')))
        .map((d) => d.name)
        .sort()
    : [];
  if (files.length === 0) {
    console.error('error: no tasks/*/task.json found.');
    process.exit(1);
  }

  const validate = loadSchemaValidator();
  if (validate) console.log(`schema: ${path.relative(repoRoot, schemaPath)}`);
  else console.log(`schema: ${path.relative(repoRoot, schemaPath)} not found; schema validation skipped, tooling rules still checked`);

  let failures = 0;
  const ids = new Map();
  const names = new Map();
  for (const folder of files) {
    const rel = `tasks/${folder}/task.json`;
    const report = (field, problem) => {
      failures++;
      console.error(`${rel}: ${field}: ${problem}`);
    };
    let task;
    try {
      task = readJson(path.join(tasksDir, folder, 'task.json'));
    } catch (error) {
      report('(file)', error.message);
      continue;
    }
    if (validate && !validate(task)) {
      for (const e of validate.errors ?? []) {
        report(`schema ${e.instancePath || '/'}`, `${e.message}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`);
      }
    }
    for (const [field, problem] of checkTask(task, folder)) report(field, problem);
    for (const [map, key, field] of [[ids, task.id?.toLowerCase(), 'id'], [names, task.name?.toLowerCase(), 'name']]) {
      if (!key) continue;
      if (map.has(key)) report(field, `same ${field} as ${map.get(key)}`);
      else map.set(key, rel);
    }
  }
  if (failures > 0) {
    console.error(`${failures} problem(s) in ${files.length} task.json file(s).`);
    process.exit(1);
  }
  console.log(`${files.length} task.json file(s) valid: ${files.map((f) => `tasks/${f}`).join(', ')}`);
}

if (isMain(import.meta.url)) main();
