-- migrate_6.sql - schema version 5 to 6.
--
-- The units above the towns: towns.district, .city and .province (the
-- optional columns of the towns file), the views town_units and units
-- that read the tree from them, ingest_log.rollup and the table rollups
-- for `himama rollup` (queries/schema.sql says what each holds).  Towns
-- loaded before have none: they belong to the organisation's own district.
ALTER TABLE towns ADD COLUMN district TEXT;
ALTER TABLE towns ADD COLUMN city TEXT;
ALTER TABLE towns ADD COLUMN province TEXT;
ALTER TABLE ingest_log ADD COLUMN rollup TEXT;

-- The units above the towns (schema version 6, docs/decisions.md "Units"):
-- provinces, cities and districts as the towns file names them, each a
-- code or a name.  Names are not unique nationally (several cities have a
-- 鼓楼区), so a unit is keyed by the units above it and its own key: its
-- path, the keys given from the province down joined by '/' ("江苏省/南通市
-- /海门区").  Both views are read from towns, so the tree cannot disagree
-- with the towns table; a town that moves district is an update of its row,
-- with its audit row.  A town whose levels are all empty belongs to the
-- organisation's own district (config organisation), which has no row.
-- A level may be skipped (a town given a district and a province): the
-- unit's parent is then the nearest level above that is given.
CREATE VIEW town_units AS
SELECT town_code, town_name, province, city, district,
       province AS province_path,
       CASE WHEN city IS NOT NULL
            THEN ifnull(province || '/', '') || city END AS city_path,
       CASE WHEN district IS NOT NULL
            THEN ifnull(province || '/', '') || ifnull(city || '/', '') || district END AS district_path,
       ifnull(province || '/', '') || ifnull(city || '/', '') || ifnull(district || '/', '')
           || town_code AS town_path
  FROM towns;

-- Every unit with its level, path, key (the code or name given), the path
-- of its parent (NULL at the top: the organisation) and its towns.  Towns
-- are units too: their key is the town code.
CREATE VIEW units AS
SELECT 'province' AS level, province_path AS path, province AS key,
       NULL AS parent_path, count(*) AS towns
  FROM town_units WHERE province IS NOT NULL GROUP BY province_path
UNION ALL
SELECT 'city', city_path, city, province_path, count(*)
  FROM town_units WHERE city IS NOT NULL GROUP BY city_path
UNION ALL
SELECT 'district', district_path, district, coalesce(city_path, province_path), count(*)
  FROM town_units WHERE district IS NOT NULL GROUP BY district_path
UNION ALL
SELECT 'town', town_path, town_code, coalesce(district_path, city_path, province_path), 1
  FROM town_units;

-- The district databases rolled up into this one (himama rollup), one row
-- per district: its code qualifies its IDs (CODE:ID) and its towns' units
-- (docs/decisions.md "Rollup"); the file as named, its SHA-256, its schema
-- version, its latest ingest (the largest ingest_log.finished_at) and when
-- it was rolled up.  The rows it brought are those whose IDs begin with
-- CODE: and the ingest_log rows whose rollup is CODE (or CODE:...).
CREATE TABLE rollups (
    code            TEXT NOT NULL PRIMARY KEY,
    file            TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    schema_version  INTEGER NOT NULL,
    last_ingest     TEXT,
    rolled_at       TEXT NOT NULL,
    rows            INTEGER NOT NULL DEFAULT 0
) STRICT;
