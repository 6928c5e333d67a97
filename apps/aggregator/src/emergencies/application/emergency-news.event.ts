/** An emergency was declared (or changed) and committed: the automatic activations are checked now. */
export class EmergencyNews {
  constructor(readonly emergencyId: string) {}
}
