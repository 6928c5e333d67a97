/** A referral as the national system sends it. It may carry personal data: it lives only in
 * memory, for the length of one request, and only `anonymiseReferral` reads it. */
export interface RawReferral {
  recordId: string;
  referredAt: string;
  category: string;
  specificNeeds?: string[];
  sex: string;
  dateOfBirth?: string | null;
  borderCrossingPoint?: string | null;
  province?: string | null;
  referredTo: string;
  movementEventId?: string | null;
  fullName?: string;
  documentNumber?: string;
  phone?: string;
  address?: string;
  notes?: string;
}
