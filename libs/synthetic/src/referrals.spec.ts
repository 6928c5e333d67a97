import { generateReferrals } from './referrals';

const opts = { seed: 1, from: '2026-03-01', to: '2026-03-10', perProviderPerDay: 20, providers: ['IR', 'PK'], now: new Date('2026-03-12T00:00:00Z') };

describe('generateReferrals', () => {
  it('gives the same referrals for the same options', () => {
    expect(generateReferrals(opts)).toEqual(generateReferrals(opts));
    expect(generateReferrals(opts)).toHaveLength(400);
  });

  it('dates each referral on its local day and its steps in order, none after now', () => {
    for (const r of generateReferrals(opts)) {
      expect(r.record.referredAt.slice(0, 10) >= opts.from && r.record.referredAt.slice(0, 10) <= opts.to).toBe(true);
      const times = [r.record.referredAt, ...r.steps.map((s) => s.at)].map(Date.parse);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(Math.max(...times)).toBeLessThanOrEqual(opts.now.getTime());
      expect(r.record.borderCrossingPoint!.startsWith(`${r.provider}-`)).toBe(true);
    }
  });

  it('walks only legal lifecycles, and produces every ending', () => {
    const endings = new Set<string>();
    for (const r of generateReferrals(opts)) {
      const commands = r.steps.map((s) => s.command).join('>');
      expect(commands).toMatch(/^(acknowledgement>?)?(acceptance(>closure)?|decline|closure)?$/);
      endings.add(r.steps.at(-1)?.command ?? 'none');
    }
    expect([...endings].sort()).toEqual(['acceptance', 'acknowledgement', 'closure', 'decline', 'none']);
  });
});
