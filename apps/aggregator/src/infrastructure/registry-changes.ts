/** The registry's change counter (migration registry-changes): any committed change to the
 * agreements or the releases moves it. The API-key lookup of every request reads it alongside
 * (AuthModule), so that grantsWithRelease can tell, with no round trip of its own, whether what it
 * read last is still what is in force. */
export const REGISTRY_CHANGES = '(SELECT n FROM registry_changes)';
