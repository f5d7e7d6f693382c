-- schema.sql — the sales CRM's accounts and users in PostgreSQL, with the demo
-- data of ../entities.json, for the deployment recipe in
-- docs/entity-sources.md (`psql -f schema.sql`). The gateway reads them with
-- the queries in gateway.toml, as a role that may only SELECT.
CREATE TABLE accounts (
  id     text PRIMARY KEY,
  owner  text NOT NULL,   -- Account.owner: the owning user's id
  team   text NOT NULL,   -- Account.team
  region text NOT NULL    -- Account.region
);
CREATE TABLE users (
  id      text PRIMARY KEY,
  manages text[] NOT NULL DEFAULT '{}'  -- User.manages: the teams this user manages
);
INSERT INTO accounts VALUES
  ('acc-1',  'u-bob',   'east', 'north-america'),
  ('acc-2',  'u-bob',   'east', 'europe'),
  ('acc-7',  'u-carol', 'east', 'north-america'),
  ('acc-8',  'u-carol', 'east', 'europe'),
  ('acc-9',  'u-hank',  'west', 'north-america'),
  ('acc-12', 'u-dana',  'east', 'north-america');
INSERT INTO users VALUES
  ('u-alice', '{}'), ('u-bob', '{}'), ('u-carol', '{}'),
  ('u-dana', '{east}'), ('u-erin', '{}'), ('u-frank', '{}');

-- The gateway's role: reads these two tables, nothing else.
CREATE ROLE authz_gateway LOGIN;
GRANT SELECT ON accounts, users TO authz_gateway;
