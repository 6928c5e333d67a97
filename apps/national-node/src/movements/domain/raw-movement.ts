/** A record as the national system sends it. It may carry personal data: it lives only in
 * memory, for the length of one request, and only `anonymiseMovement` reads it. */
export interface RawMovement {
  recordId: string;
  crossedAt: string;
  direction: string;
  borderCrossingPoint: string;
  citizenship: string;
  departedFrom?: string | null;
  intendedDestination?: string | null;
  category: string;
  sex: string;
  dateOfBirth?: string | null;
  specificNeeds?: string[];
  fullName?: string;
  documentNumber?: string;
  documentType?: string;
  phone?: string;
  address?: string;
  notes?: string;
}
