// A fault test waits on conditions, each with its own bound; this is the outer bound of one test
// (start-up of the services, the load, the fault, the recovery and the final check).
jest.setTimeout(240_000);
