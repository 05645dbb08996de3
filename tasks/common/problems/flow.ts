import { ItemError } from '../report';
import { Loc, ProblemSpec, describeProblem } from './index';

/**
 * Problems of turning a cloud flow on or off that the tasks find themselves, before or instead of
 * the platform. Where the platform has its own code for the condition (an unbound reference:
 * `XrmConnectionReferenceMissingConnection`; a reference that does not exist: `0x80095005`), that
 * code is used, so a report reads the same whether the task or the platform found it.
 */
export const FLOW_PROBLEMS = {
  InvalidFlowDefinition: { code: 'InvalidFlowDefinition', messageKey: 'MsgInvalidDefinition', hintKey: 'HintInvalidDefinition' },
  ConnectionReferenceNotFound: { code: '0x80095005', messageKey: 'MsgReferenceNotFound', hintKey: 'HintReferenceNotFound' },
  ConnectionReferenceUnbound: { code: 'XrmConnectionReferenceMissingConnection', messageKey: 'MsgReferenceUnbound', hintKey: 'HintBindReference' },
  ConnectionReferenceOutsideSolution: {
    code: 'ConnectionReferenceOutsideSolution',
    messageKey: 'MsgReferenceOutsideSolution',
    hintKey: 'HintReferenceOutsideSolution',
  },
  ConnectionNotFound: { code: 'ConnectionNotFound', messageKey: 'MsgConnectionNotFound', hintKey: 'HintConnectionNotFound' },
  ConnectionNotConnected: { code: 'ConnectionNotConnected', messageKey: 'MsgConnectionNotConnected', hintKey: 'HintConnectionNotConnected' },
  ConnectionOwnerUnknown: { code: 'ConnectionOwnerUnknown', messageKey: 'MsgConnectionOwnerUnknown', hintKey: 'HintConnectionOwnerUnknown' },
  UserNotInEnvironment: { code: 'UserNotInEnvironment', messageKey: 'MsgUserNotInEnvironment', hintKey: 'HintUserNotInEnvironment' },
  UserDisabled: { code: 'UserNotInEnvironment', messageKey: 'MsgUserDisabled', hintKey: 'HintUserDisabled' },
  ChildFlowTurnedOff: { code: 'ChildFlowTurnedOff', messageKey: 'MsgChildTurnedOff', hintKey: 'HintChildTurnedOff' },
  ChildFlowNotFound: { code: 'ChildFlowNotFound', messageKey: 'MsgChildNotFound', hintKey: 'HintChildNotFound' },
  ChildFlowNotOn: { code: 'ChildFlowNotOn', messageKey: 'MsgChildNotOn', hintKey: 'HintChildNotOn' },
  BlockedByChildFlow: { code: 'BlockedByChildFlow', messageKey: 'MsgBlockedByChild', hintKey: 'HintBlockedByChild' },
  ActivationOutcomeUnknown: { code: 'ActivationOutcomeUnknown', messageKey: 'MsgActivationOutcomeUnknown', hintKey: 'HintActivationOutcomeUnknown' },
} as const satisfies Record<string, ProblemSpec>;

export type FlowProblemKind = keyof typeof FLOW_PROBLEMS;

/**
 * A flow problem as a report error. Message and hint take their own arguments: a message formats
 * extra arguments onto its end, so each gets exactly the ones its text has placeholders for.
 */
export function describeFlowProblem(loc: Loc, kind: FlowProblemKind, messageArgs: unknown[], hintArgs: unknown[] = messageArgs): ItemError {
  const spec: ProblemSpec = FLOW_PROBLEMS[kind];
  const message = describeProblem(loc, { code: spec.code, messageKey: spec.messageKey }, ...messageArgs);
  return spec.hintKey ? { ...message, hint: loc(spec.hintKey, ...hintArgs) } : message;
}
