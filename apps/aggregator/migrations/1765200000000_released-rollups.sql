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

-- The release in force when this migration runs gets its rollups now: answers read them at once.
INSERT INTO released_flow_counts_week
SELECT date_trunc('week', day)::date, provider, border_crossing_point, direction, departed_from, intended_destination,
       citizenship, category, sex, age_band, sum(count), sum(key_sum)
  FROM released_flow_counts
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;
INSERT INTO released_flow_counts_month
SELECT date_trunc('month', day)::date, provider, border_crossing_point, direction, departed_from, intended_destination,
       citizenship, category, sex, age_band, sum(count), sum(key_sum)
  FROM released_flow_counts
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10;

-- Down Migration
DROP TABLE released_flow_counts_month;
DROP TABLE released_flow_counts_week;
