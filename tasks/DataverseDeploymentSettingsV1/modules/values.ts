import { ENV_VAR_TYPES } from './solution-reader';

export type ValueProblem = 'InvalidNumber' | 'InvalidBoolean' | 'InvalidJson' | 'InvalidSecretReference';

const TYPE_NAMES: Record<number, string> = {
  [ENV_VAR_TYPES.String]: 'String',
  [ENV_VAR_TYPES.Number]: 'Number',
  [ENV_VAR_TYPES.Boolean]: 'Boolean',
  [ENV_VAR_TYPES.JSON]: 'JSON',
  [ENV_VAR_TYPES.DataSource]: 'Data source',
  [ENV_VAR_TYPES.Secret]: 'Secret',
};

export function typeName(type: number | undefined): string {
  if (type === undefined) return 'unknown';
  return TYPE_NAMES[type] ?? `type ${type}`;
}

/** Decimal notation only: no spaces, thousands separators, hex, NaN or Infinity. */
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** The maker portal stores `yes`/`no`; `true`/`false` are read the same way by flows and apps. */
const BOOLEAN_VALUES = ['yes', 'no', 'true', 'false'];

/**
 * The form Dataverse documents for a Secret environment variable:
 * /subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.KeyVault/vaults/{vault}/secrets/{secret}
 */
const KEY_VAULT_SECRET =
  /^\/subscriptions\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/resourceGroups\/[-\w.()]{1,90}\/providers\/Microsoft\.KeyVault\/vaults\/[a-z][a-z0-9-]{1,22}[a-z0-9]\/secrets\/[0-9a-z-]{1,127}$/i;

/** A Secret-type value; also used to mask such values when the variable's type is not known. */
export function isKeyVaultSecretReference(value: string): boolean {
  return KEY_VAULT_SECRET.test(value);
}

/** Whether a non-empty value fits the environment variable's type; String and Data source take anything. */
export function checkValue(type: number | undefined, value: string): { problem: ValueProblem; detail?: string } | undefined {
  switch (type) {
    case ENV_VAR_TYPES.Number:
      return NUMBER.test(value) && Number.isFinite(Number(value)) ? undefined : { problem: 'InvalidNumber' };
    case ENV_VAR_TYPES.Boolean:
      return BOOLEAN_VALUES.includes(value.toLowerCase()) ? undefined : { problem: 'InvalidBoolean' };
    case ENV_VAR_TYPES.JSON:
      try {
        JSON.parse(value);
        return undefined;
      } catch (error) {
        return { problem: 'InvalidJson', detail: (error as Error).message };
      }
    case ENV_VAR_TYPES.Secret:
      return isKeyVaultSecretReference(value) ? undefined : { problem: 'InvalidSecretReference' };
    default:
      return undefined;
  }
}
