import { issueKey as issue, NewKey, Service } from '@caravanserai/credentials';

/** Issues an API key in a service's database, exactly as `npm run cli -- keys create` does (the
 * database is created and migrated if the service never ran); returns the key. */
export async function issueKey(
  databaseUrl: string,
  service: Service,
  principal: string,
  role: string,
  extra: Omit<NewKey, 'principal' | 'role'> = {},
): Promise<string> {
  return (await issue(databaseUrl, service, { principal, role, ...extra })).key;
}

/** The header that presents a key. */
export const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });
