import { isUUID } from 'class-validator';
import { EventIds } from './event-ids';

describe('EventIds', () => {
  const ids = new EventIds(Buffer.alloc(32, 7));
  const other = new EventIds(Buffer.alloc(32, 8));

  it('gives a record the same id every time, a version-8 UUID the envelope schema accepts', () => {
    const id = ids.forRecord('movement', 'ab'.repeat(32));
    expect(ids.forRecord('movement', 'ab'.repeat(32))).toBe(id);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(isUUID(id)).toBe(true);
  });

  it('differs by kind, record, secret', () => {
    const id = ids.forRecord('movement', 'ab'.repeat(32));
    expect(ids.forRecord('referral', 'ab'.repeat(32))).not.toBe(id);
    expect(ids.forRecord('movement', 'ac'.repeat(32))).not.toBe(id);
    expect(other.forRecord('movement', 'ab'.repeat(32))).not.toBe(id);
  });

  it('gives the same decision at the same stream position the same id, whatever the order of its data, and another decision another', () => {
    const a = ids.forDecision('movement-x', 2, 'MovementRetracted', { movementEventId: 'x', reason: 'wrong_record' });
    expect(ids.forDecision('movement-x', 2, 'MovementRetracted', { reason: 'wrong_record', movementEventId: 'x' })).toBe(a);
    expect(ids.forDecision('movement-x', 2, 'MovementRetracted', { movementEventId: 'x', reason: 'duplicate' })).not.toBe(a);
    expect(ids.forDecision('movement-x', 3, 'MovementRetracted', { movementEventId: 'x', reason: 'wrong_record' })).not.toBe(a);
  });

  it('refuses a short secret', () => {
    expect(() => new EventIds(Buffer.alloc(16))).toThrow('at least 32 bytes');
  });
});
