'use strict';
// The client matrix checks for a Node.js driver (mysql2 or mariadb), given an adapter that hides
// the differences between the two APIs. Each check prints one line, "PASS <check> <observed>",
// "FAIL <check> <observed>" or "SKIP <check> <why>", with nothing in it that differs between two
// runs against the same server, so a direct run and a proxied run can be compared line for line.

const TEXT = 'emoji \u{1F600} \u6f22\u5b57 \u00f1';

function str(value) {
  return value === null || value === undefined ? 'NULL' : String(value);
}

function rowsText(rows) {
  return rows.map((row) => row.map(str).join(',')).join(';');
}

async function attempt(adapter, body) {
  try {
    return await body();
  } catch (e) {
    if (e.errno === undefined) throw e;
    return adapter.errorText(e);
  }
}

// host, port, user, password, database, and whether to compress (an optional sixth argument,
// "compress", taken when the adapter has connect options for compression).
function argumentsOf(adapter) {
  const args = process.argv.slice(2);
  if (args.length === 5) {
    return [args, false];
  }
  if (adapter.compression && args.length === 6 && args[5] === 'compress') {
    return [args.slice(0, 5), true];
  }
  process.stderr.write('usage: node ' + process.argv[1] + ' host port user password database'
      + (adapter.compression ? ' [compress]' : ' (the driver has no protocol compression)') + '\n');
  return process.exit(2);
}

// The adapter: connect(options, multi, charset = 'utf8mb4'), query, execute, affected, multi,
// stream, errorText, and compression, the connect options that turn protocol compression on.
async function run(name, adapter) {
  const [[host, port, user, password, database], compress] = argumentsOf(adapter);
  const options = { host, port: Number(port), user, password, database, connectTimeout: 10000,
    ...(compress ? adapter.compression : {}) };
  const table = 'cm_' + name;
  let other = null;
  const q = async (connection, sql, params) => adapter.query(connection, sql, params);
  const first = async (connection, sql, params) => (await q(connection, sql, params))[0];

  const main = await adapter.connect(options, true);
  const check = async (check, body) => {
    let ok;
    let observed;
    try {
      [ok, observed] = await body();
    } catch (e) {
      if (e.errno === undefined) throw e;
      [ok, observed] = [false, adapter.errorText(e)];
    }
    console.log((ok ? 'PASS ' : 'FAIL ') + check + ' ' + observed);
    if (other !== null) {
      await q(other, 'SELECT COUNT(*) FROM seq_1_to_10');
    }
  };

  await check('connect', async () => {
    const [db, current, autocommit] = await first(main, 'SELECT DATABASE(), CURRENT_USER(), @@autocommit');
    let ok = db === database;
    let observed = `db=${db} user=${current} autocommit=${str(autocommit)}`;
    if (compress) {
      // A compression option the driver ignores leaves the status OFF, which fails the direct run.
      const rows = await q(main, "SHOW SESSION STATUS LIKE 'Compression'");
      const compression = rows.length > 0 ? str(rows[0][1]) : 'none';
      ok = ok && compression === 'ON';
      observed += ` compression=${compression}`;
    }
    return [ok, observed];
  });
  other = await adapter.connect(options, false);
  await q(other, "SET SESSION time_zone = '+05:00'");
  await q(other, 'SET NAMES latin1');

  await check('session', async () => {
    const row = await first(main, 'SELECT @@character_set_client, @@character_set_connection, '
        + '@@character_set_results, @@collation_connection, @@time_zone, @@sql_mode');
    return [row[0] === 'utf8mb4', `client=${row[0]} connection=${row[1]} results=${row[2]} collation=${row[3]} `
        + `time_zone=${row[4]} sql_mode=${row[5]}`];
  });

  await check('utf8mb4', async () => {
    const t = table + '_text';
    await q(main, `CREATE OR REPLACE TABLE ${t} (id INT PRIMARY KEY, s VARCHAR(40)) CHARACTER SET utf8mb4`);
    await q(main, `INSERT INTO ${t} VALUES (1, ?)`, [TEXT]);
    const [s, length, hex, charset] = await first(main,
        `SELECT s, CHAR_LENGTH(s), HEX(s), @@character_set_client FROM ${t} WHERE id = 1`);
    const [literal] = await first(main, `SELECT CHAR_LENGTH('${TEXT}')`);
    const ok = s === TEXT && str(length) === '12' && str(literal) === '12' && charset === 'utf8mb4';
    return [ok, `same=${s === TEXT} char_length=${str(length)} literal_char_length=${str(literal)} hex=${hex} `
        + `character_set_client=${charset}`];
  });

  await check('prepared', async () => {
    const sql = 'SELECT CAST(? AS SIGNED) + seq, CONCAT(?, seq) FROM seq_1_to_3 ORDER BY seq';
    const results = [];
    results.push(rowsText(await adapter.execute(main, sql, [10, 'a'])));
    results.push(rowsText(await adapter.execute(main, sql, [20, '\u00f1\u{1F600}'])));
    results.push(await attempt(adapter, async () => rowsText(
        await adapter.execute(main, `SELECT * FROM cm_missing_${name} WHERE id = ?`, [1]))));
    results.push(rowsText(await adapter.execute(main, sql, [0, 'x'])));
    const observed = results.join(' | ');
    return [results[0] === '11,a1;12,a2;13,a3' && results[1] === '21,\u00f1\u{1F600}1;22,\u00f1\u{1F600}2;23,\u00f1\u{1F600}3'
        && results[2].startsWith('error 1146') && results[3] === '1,x1;2,x2;3,x3', observed];
  });

  await check('stream', async () => {
    let rows = 0;
    let sum = 0;
    let lengths = 0;
    await adapter.stream(main, "SELECT seq, CONCAT('row-', seq) FROM seq_1_to_200000", (row) => {
      rows += 1;
      sum += Number(row[0]);
      lengths += row[1].length;
    });
    const expected = (await first(main,
        "SELECT COUNT(*), SUM(seq), SUM(LENGTH(CONCAT('row-', seq))) FROM seq_1_to_200000")).map(str);
    const observed = [rows, sum, lengths].map(str);
    return [observed.join() === expected.join(), `rows=${rows} sum=${sum} lengths=${lengths}`];
  });

  await check('error-then-ok', async () => {
    const failed = await attempt(adapter, async () => {
      await q(main, `SELECT * FROM cm_missing_${name}`);
      return 'no error';
    });
    const [after] = await first(main, "SELECT 'after'");
    return [failed.startsWith('error 1146 42S02') && after === 'after', failed + ' then ' + after];
  });

  // On a session of its own, so that what a failed SET leaves behind shows here and nowhere else.
  await check('failed-set', async () => {
    const session = await adapter.connect(options, false);
    const results = [];
    let second;
    try {
      await q(session, 'SET SESSION max_recursive_iterations = 1000000');
      second = await attempt(adapter, async () => {
        await q(session, 'SET SESSION cte_max_recursion_depth = 1000000');
        return 'no error';
      });
      for (const sql of ['WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 100000) SELECT COUNT(*) FROM r',
        'SELECT @@max_recursive_iterations', "SELECT 'later'"]) {
        results.push(await attempt(adapter, async () => str((await first(session, sql))[0])));
      }
    } finally {
      await session.end();
    }
    const observed = `second_set=${second} cte=${results[0]} iterations=${results[1]} later=${results[2]}`;
    return [second.startsWith('error 1193') && results.join() === '100000,1000000,later', observed];
  });

  await check('user-variable-update', async () => {
    const t = table + '_uv';
    await q(main, `CREATE OR REPLACE TABLE ${t} (id INT PRIMARY KEY, name VARCHAR(20))`);
    await q(main, `INSERT INTO ${t} VALUES (1, 'a'), (2, 'b'), (3, 'c')`);
    await q(main, 'SET @l = 1');
    const changed = await adapter.affected(main, `UPDATE ${t} SET name = CONCAT(name, @l := @l + 1) ORDER BY id`);
    const [names, last] = await first(main, `SELECT GROUP_CONCAT(IFNULL(name, 'NULL') ORDER BY id), @l FROM ${t}`);
    return [names === 'a2,b3,c4' && str(last) === '4', `changed=${changed} names=${names} @l=${str(last)}`];
  });

  // Two sessions that ask for latin1 when they connect; one changes to utf8mb4, the other must stay latin1.
  await check('handshake-charset', async () => {
    const changed = await adapter.connect(options, false, 'latin1');
    const kept = await adapter.connect(options, false, 'latin1');
    const rounds = [];
    try {
      await q(changed, 'SET NAMES utf8mb4');
      for (let i = 0; i < 3; i++) {
        const [a] = await first(changed, 'SELECT @@character_set_client');
        const b = await first(kept, 'SELECT @@character_set_client, @@character_set_results');
        rounds.push(`${a}+${b.join('/')}`);
      }
    } finally {
      await changed.end();
      await kept.end();
    }
    return [rounds.every((r) => r === 'utf8mb4+latin1/latin1'), rounds.join(' ')];
  });

  await check('multi-statements', async () => {
    const sets = await adapter.multi(main, "SELECT 1 AS a; DO 0; SELECT 'b', 2 UNION ALL SELECT 'c', 3; SELECT NULL");
    const [after] = await first(main, "SELECT 'after'");
    const observed = sets.map(rowsText).join(' | ') + ' then ' + after;
    return [observed === '1 | b,2;c,3 | NULL then after', observed];
  });

  await check('main-session-state', async () => {
    const row = (await first(main, 'SELECT @@time_zone, @@max_recursive_iterations, @@character_set_client, @l')).map(str);
    return [row.join() === 'SYSTEM,1000,utf8mb4,4',
      `time_zone=${row[0]} iterations=${row[1]} character_set_client=${row[2]} @l=${row[3]}`];
  });

  await check('other-session-state', async () => {
    const row = (await first(other, 'SELECT @@time_zone, @@character_set_client, @l')).map(str);
    return [row.join() === '+05:00,latin1,NULL', `time_zone=${row[0]} character_set_client=${row[1]} @l=${row[2]}`];
  });

  await other.end();
  await main.end();
}

module.exports = { run };
