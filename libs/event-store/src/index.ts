export * from './pg-event-store';
export * from './outbox-forwarder';
export * from './record-ids';
export * from './republication';
