/** Published on the EventBus after a commit that gives some source new items (a declaration, an
 * activation, new forecast figures): the writer runs now rather than at the next second. */
export class FeedNews {}
