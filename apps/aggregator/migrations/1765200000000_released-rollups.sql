-- Up Migration

-- The released snapshot summed by ISO week (Monday start, as date_trunc('week')) and by month, cut
-- with released_flow_counts in the same transaction (cutRelease): a question by week, month or year
-- reads one row per period and cell for the whole periods it covers, and the day cells only for the
-- days at its edges (PgFlowReader). Same columns as flow_counts; `day` holds the period's first day.
-- key_sum is the plain sum of the day cells' key sums (each in [0, 2^32), so at most 31 * 2^32: no
-- bigint overflow); as for the day cells, it is reduced mod 2^32 only when an answer sums it.
CREATE TABLE released_flow_counts_week (
  LIKE released_flow_counts INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
  CHECK (day = date_trunc('week', day)::date)
);
CREATE TABLE released_flow_counts_month (
  LIKE released_flow_counts INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
  CHECK (day = date_trunc('month', day)::date)
);
-- A question of all providers over a year reads every row of a rollup (a sequential scan: 78,168
-- month rows for the bench's 10 million events); one of a few providers, as a state asking of its
-- own data, reads theirs through this index, the rows being written in its order (EXPLAIN ANALYZE,
-- one provider of nine, a year by month: 1,017 pages and 45 ms scanned, 7 index pages and 2.5 ms).
-- The day's place in the key serves the rows' days; no other index pays for its cost at each cut.
CREATE INDEX released_flow_counts_week_provider_day ON released_flow_counts_week (provider, day);
CREATE INDEX released_flow_counts_month_provider_day ON released_flow_counts_month (provider, day);

-- The release in force when this migration runs gets its rollups now: answers read them at once.
INSERT INTO released_flow_counts_week
SELECT date_trunc('week', day)::date, provider, border_crossing_point, direction, departed_from, intended_destination,
       citizenship, category, sex, age_band, sum(count), sum(key_sum)
  FROM released_flow_counts
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
 ORDER BY 2, 1;
INSERT INTO released_flow_counts_month
SELECT date_trunc('month', day)::date, provider, border_crossing_point, direction, departed_from, intended_destination,
       citizenship, category, sex, age_band, sum(count), sum(key_sum)
  FROM released_flow_counts
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
 ORDER BY 2, 1;

-- Down Migration
DROP TABLE released_flow_counts_month;
DROP TABLE released_flow_counts_week;
