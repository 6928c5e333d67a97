-- Up Migration

-- The released day cells by day: every question by day reads a range of days (three months of
-- the bench's 10 million events: 195,000 of 773,149 cells), and every question by week, month or
-- year its edge days. A release writes its day cells in day order (cutRelease) and VACUUMs them
-- once committed, which summarises each range of pages: this block-range index then names the
-- pages of those days alone, at a few pages of its own, where the primary key's B-tree (day first,
-- then nine text columns: 79 MB) was walked entry by entry or the whole table scanned. Measured on
-- the bench's cells, three months by provider and day: 78–86 ms against 138–149 (a parallel
-- sequential scan) through node-postgres with bind parameters.
CREATE INDEX released_flow_counts_day ON released_flow_counts USING brin (day);

-- Down Migration
DROP INDEX released_flow_counts_day;
