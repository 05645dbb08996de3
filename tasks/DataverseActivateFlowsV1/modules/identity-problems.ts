import { ImpersonationCheck } from '../../common/impersonation-check';
import { describeFlowProblem } from '../../common/problems/flow';
import { FlowError, Localize, UserFacts } from './facts';

/** A user acted as who is absent or disabled in the environment, or whom WhoAmI refused to act as. */
export function identityProblem(
  objectId: string,
  actorName: string,
  users: ReadonlyMap<string, UserFacts>,
  checks: ReadonlyMap<string, ImpersonationCheck>,
  loc: Localize,
): FlowError | undefined {
  const user = users.get(objectId);
  if (!user) return describeFlowProblem(loc, 'UserNotInEnvironment', [actorName]);
  if (user.disabled) return describeFlowProblem(loc, 'UserDisabled', [actorName]);
  const check = checks.get(objectId);
  if (check && !check.ok && check.kind === 'impersonationIgnored') {
    return {
      code: check.code,
      message: loc('MsgImpersonationIgnoredCheck', actorName, check.answeredAs, check.expected),
      hint: loc('HintImpersonationIgnoredCheck', actorName, loc('TheServicePrincipal')),
    };
  }
  if (check && !check.ok) return { code: check.code, message: check.message, hint: identityHint(check.code, actorName, loc) };
  return undefined;
}

/** The hint for a failed act-as check (WhoAmI with CallerObjectId), or a write refused for the same reason. */
export function identityHint(code: string, actorName: string, loc: Localize): string | undefined {
  switch (code.toLowerCase()) {
    case '0x8004a110':
    case 'cannotactonbehalfofanotheruser':
      return loc('HintActOnBehalf');
    case '0x80040225':
    case '0x8004022b':
      return loc('HintUserDisabled', actorName);
    case '0x80040217':
    case '0x80072560':
    case 'usernotinenvironment':
      return loc('HintUserNotInEnvironment', actorName);
    default:
      return undefined;
  }
}
