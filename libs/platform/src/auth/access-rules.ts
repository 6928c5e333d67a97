import { principalKind, type Principal } from '@caravanserai/credentials';
import type { AccessRule } from './access.decorator';

/** Whether one of `rules` lets `principal` in (pure; the guard applies it). */
export function allows(rules: readonly AccessRule[] | undefined, principal: Principal): boolean {
  if (!rules) return false;
  return rules.some((rule) => {
    if (rule === 'any') return true;
    const [role, kind] = rule.split(':');
    return principal.role === role && (kind === undefined || principalKind(principal.id) === kind);
  });
}
