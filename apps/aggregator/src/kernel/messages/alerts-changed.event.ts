/** A surge run committed alert changes (raised, severity changed, subsided): the feeds write
 * their alert items on it. */
export class AlertsChanged {}
