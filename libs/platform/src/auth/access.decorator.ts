import { SetMetadata } from '@nestjs/common';

/**
 * Who may call a route: a role (`ingest`, `admin`, `reader`), a role held by one kind of
 * principal (`reader:secretariat`, `reader:state`, `reader:org`), or `any` authenticated caller.
 * A route with neither @Allow nor @Public answers 403 to everyone: access is declared, never assumed.
 */
export type AccessRule = 'ingest' | 'admin' | 'reader' | 'reader:secretariat' | 'reader:state' | 'reader:org' | 'any';

export const ACCESS_RULES = 'caravanserai:access-rules';
export const PUBLIC_ROUTE = 'caravanserai:public';

export const Allow = (...rules: AccessRule[]) => SetMetadata(ACCESS_RULES, rules);

/** No credentials needed: health and readiness only (they reveal no data). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
