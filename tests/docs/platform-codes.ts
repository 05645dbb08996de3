/**
 * Codes the tasks report that have no message of their own in the catalogue: the platform's codes
 * (the tasks pass them on, with a hint chosen by the code) and the task-level codes. The generator
 * finds the codes in the source; this list gives their canonical spelling and what they mean. The
 * action is the hint the source attaches to the code when it has one, otherwise `action` below.
 */
export interface KnownCode {
  code: string;
  /** Absent when the source gives the code a message of its own. */
  meaning?: string;
  action?: string;
}

const VALUE_OF_TYPE = 'Give a value of the environment variable\'s type (see [Set deployment settings](#set-deployment-settings)).';
const NAME_MATCHES_NOTHING = 'Check the name for a typo (the closest name is suggested), or remove it.';

export const KNOWN_CODES: readonly KnownCode[] = [
  { code: 'InvalidBoolean', action: VALUE_OF_TYPE },
  { code: 'InvalidJson', action: VALUE_OF_TYPE },
  { code: 'InvalidNumber', action: VALUE_OF_TYPE },
  { code: 'InvalidSecretReference', action: VALUE_OF_TYPE },
  { code: 'NotInSolution', action: 'Nothing, if the entry is meant for another solution; otherwise remove it from the settings file.' },
  { code: 'UnknownVariable', action: NAME_MATCHES_NOTHING },
  { code: '0x80040220', meaning: 'The identity the request was made as lacks a privilege.' },
  { code: '0x80040231', meaning: 'The identity the request was made as lacks a privilege.' },
  { code: 'PrivilegeDenied', meaning: 'The identity the request was made as lacks a privilege.' },
  { code: '0x80040217', meaning: 'The user to act as is not a user of the environment.' },
  { code: '0x80072560', meaning: 'The user to act as is not a user of the environment.' },
  { code: '0x8004022b', meaning: 'The user to act as is disabled.' },
  { code: '0x8004a110', meaning: 'The service principal may not act as another user.' },
  { code: 'ConnectionReferenceNotFound', meaning: 'A connection reference the flow uses does not exist in the environment.' },
  { code: 'ConnectionAuthorizationFailed', meaning: 'The identity turning the flow on may not use one of its connections.' },
  { code: 'BapListServicePlansFailed', meaning: 'The platform found no user details for the identity turning the flow on.' },
  { code: 'MissingUserDetails', meaning: 'The platform found no user details for the identity turning the flow on.' },
  { code: 'ChildFlowNeverPublished', meaning: 'A child flow this flow calls was never turned on.' },
  { code: 'MissingAdequateQuotaPolicy', meaning: 'The identity turning the flow on has no licence for a premium connector.' },
  { code: 'MultipleErrorsOccurred', meaning: 'The platform reported several errors for one flow.' },
  { code: 'Forbidden', meaning: 'The service refused the request (for the admin API: the application is not a management application).' },
  { code: 'HTTP403', meaning: 'The service refused the request (for the admin API: the application is not a management application).' },
  {
    code: 'InvalidConfiguration',
    meaning: 'The task stopped before its plan: an input, a variable or a file given to it is not usable.',
    action: 'Correct what the message names (an input, a variable, a file) and run the task again.',
  },
  {
    code: 'TaskFailed',
    meaning: 'The task stopped before its plan for a reason the message gives.',
    action: 'Read the message; run again with `System.Debug: true` for details.',
  },
  {
    code: 'Error',
    meaning: 'An error that did not come from the platform (for example a network failure after the retries).',
    action: 'Read the message; run the task again (flows already in the wanted state are left alone).',
  },
];
