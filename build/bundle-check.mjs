// Warns about every package that ends up in a task bundle more than once (e.g. axios brings its
// own https-proxy-agent beside ours): each copy adds size, and a stateful package split in two
// copies misbehaves. bundle.mjs fails for the stateful ones; every other duplicate is a warning.

/** `node_modules/<name>` or `node_modules/@scope/<name>` directory of a bundled input file (the innermost one). */
function packageRoot(input) {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match ? match[1] : undefined;
}

/** Packages bundled from more than one folder: `[[name, [folder, ...]], ...]`, sorted by name. */
export function duplicatedPackages(inputs) {
  const folders = new Map();
  for (const root of new Set(inputs.map(packageRoot).filter(Boolean))) {
    const name = root.replace(/^.*node_modules\//, '');
    folders.set(name, [...(folders.get(name) ?? []), root]);
  }
  return [...folders.entries()].filter(([, roots]) => roots.length > 1).sort(([a], [b]) => a.localeCompare(b));
}

/** Prints one warning line per package bundled twice; returns the duplicates. */
export function warnDuplicatePackages(folder, inputs, warn = console.warn) {
  const duplicates = duplicatedPackages(inputs);
  for (const [name, roots] of duplicates) warn(`warning: tasks/${folder}: ${name} is bundled ${roots.length} times (${roots.join(', ')}).`);
  return duplicates;
}
