<?php
// The client matrix checks for a PHP MySQL API (mysqli or PDO_mysql), given an adapter that
// hides the differences between the two. Each check prints one line, "PASS <check> <observed>"
// or "FAIL <check> <observed>", with nothing in it that differs between two runs against the same
// server, so a direct run and a proxied run can be compared line for line.

const TEXT = "emoji \u{1F600} \u{6f22}\u{5b57} \u{f1}";

function str($value): string
{
    return $value === null ? 'NULL' : (string) $value;
}

function rows_text(array $rows): string
{
    return implode(';', array_map(fn ($row) => implode(',', array_map('str', $row)), $rows));
}

/** host, port, user, password, database, and whether to compress (an optional sixth argument, "compress"). */
function matrix_arguments(array $argv): array
{
    $count = count($argv);
    if ($count === 6 || ($count === 7 && $argv[6] === 'compress')) {
        return [...array_slice($argv, 1, 5), $count === 7];
    }
    fwrite(STDERR, "usage: php {$argv[0]} host port user password database [compress]\n");
    exit(2);
}

/** $a: connect(options, bool multi, charset = 'utf8mb4'), where options['compress'] asks for the driver's protocol compression,
 *  query(c, sql, ?params) => rows, execute(c, sql, params) => rows (server-side prepared),
 *  affected(c, sql), multi(c, sql) => list of row lists, stream(c, sql, onRow), error(Throwable) => ?string */
function run_matrix(string $name, array $a, array $argv): void
{
    [$host, $port, $user, $password, $database, $compress] = matrix_arguments($argv);
    $options = compact('host', 'port', 'user', 'password', 'database', 'compress');
    $table = "cm_$name";
    $other = null;
    $first = fn ($c, $sql, $params = null) => $a['query']($c, $sql, $params)[0];
    $attempt = function (callable $body) use ($a) {
        try {
            return $body();
        } catch (Throwable $e) {
            $text = $a['error']($e);
            if ($text === null) {
                throw $e;
            }
            return $text;
        }
    };
    $main = $a['connect']($options, true);
    $check = function (string $check, callable $body) use ($a, &$other) {
        try {
            [$ok, $observed] = $body();
        } catch (Throwable $e) {
            $text = $a['error']($e);
            if ($text === null) {
                throw $e;
            }
            [$ok, $observed] = [false, $text];
        }
        echo ($ok ? 'PASS ' : 'FAIL ') . "$check $observed\n";
        if ($other !== null) {
            $a['query']($other, 'SELECT COUNT(*) FROM seq_1_to_10');
        }
    };

    $check('connect', function () use ($a, $main, $first, $database, $compress) {
        [$db, $current, $autocommit] = $first($main, 'SELECT DATABASE(), CURRENT_USER(), @@autocommit');
        [$ok, $observed] = [$db === $database, "db=$db user=$current autocommit=$autocommit"];
        if ($compress) {
            // A compression option the driver ignores leaves the status OFF, which fails the direct run.
            $rows = $a['query']($main, "SHOW SESSION STATUS LIKE 'Compression'");
            $compression = count($rows) > 0 ? str($rows[0][1]) : 'none';
            $ok = $ok && $compression === 'ON';
            $observed .= " compression=$compression";
        }
        return [$ok, $observed];
    });
    $other = $a['connect']($options, false);
    $a['query']($other, "SET SESSION time_zone = '+05:00'");
    $a['query']($other, 'SET NAMES latin1');

    $check('session', function () use ($main, $first) {
        $row = $first($main, 'SELECT @@character_set_client, @@character_set_connection, '
            . '@@character_set_results, @@collation_connection, @@time_zone, @@sql_mode');
        return [$row[0] === 'utf8mb4', vsprintf('client=%s connection=%s results=%s collation=%s time_zone=%s sql_mode=%s', $row)];
    });

    $check('utf8mb4', function () use ($a, $main, $first, $table) {
        $t = "{$table}_text";
        $a['query']($main, "CREATE OR REPLACE TABLE $t (id INT PRIMARY KEY, s VARCHAR(40)) CHARACTER SET utf8mb4");
        $a['query']($main, "INSERT INTO $t VALUES (1, ?)", [TEXT]);
        [$s, $length, $hex, $charset] = $first($main, "SELECT s, CHAR_LENGTH(s), HEX(s), @@character_set_client FROM $t WHERE id = 1");
        [$literal] = $first($main, "SELECT CHAR_LENGTH('" . TEXT . "')");
        $same = $s === TEXT ? 'true' : 'false';
        return [$same === 'true' && str($length) === '12' && str($literal) === '12' && $charset === 'utf8mb4',
            "same=$same char_length=$length literal_char_length=$literal hex=$hex character_set_client=$charset"];
    });

    $check('prepared', function () use ($a, $main, $attempt, $name) {
        $sql = 'SELECT CAST(? AS SIGNED) + seq, CONCAT(?, seq) FROM seq_1_to_3 ORDER BY seq';
        $results = [rows_text($a['execute']($main, $sql, [10, 'a'])), rows_text($a['execute']($main, $sql, [20, "\u{f1}\u{1F600}"]))];
        $results[] = $attempt(fn () => rows_text($a['execute']($main, "SELECT * FROM cm_missing_$name WHERE id = ?", [1])));
        $results[] = rows_text($a['execute']($main, $sql, [0, 'x']));
        return [$results[0] === '11,a1;12,a2;13,a3' && $results[1] === "21,\u{f1}\u{1F600}1;22,\u{f1}\u{1F600}2;23,\u{f1}\u{1F600}3"
            && str_starts_with($results[2], 'error 1146') && $results[3] === '1,x1;2,x2;3,x3', implode(' | ', $results)];
    });

    $check('stream', function () use ($a, $main, $first) {
        $rows = $sum = $lengths = 0;
        $a['stream']($main, "SELECT seq, CONCAT('row-', seq) FROM seq_1_to_200000", function ($row) use (&$rows, &$sum, &$lengths) {
            $rows++;
            $sum += (int) $row[0];
            $lengths += strlen($row[1]);
        });
        $expected = implode(',', array_map('str', $first($main, "SELECT COUNT(*), SUM(seq), SUM(LENGTH(CONCAT('row-', seq))) FROM seq_1_to_200000")));
        return ["$rows,$sum,$lengths" === $expected, "rows=$rows sum=$sum lengths=$lengths"];
    });

    $check('error-then-ok', function () use ($a, $main, $first, $attempt, $name) {
        $failed = $attempt(function () use ($a, $main, $name) {
            $a['query']($main, "SELECT * FROM cm_missing_$name");
            return 'no error';
        });
        [$after] = $first($main, "SELECT 'after'");
        return [str_starts_with($failed, 'error 1146 42S02') && $after === 'after', "$failed then $after"];
    });

    // On a session of its own, so that what a failed SET leaves behind shows here and nowhere else.
    $check('failed-set', function () use ($a, $options, $first, $attempt) {
        $session = $a['connect']($options, false);
        $a['query']($session, 'SET SESSION max_recursive_iterations = 1000000');
        $second = $attempt(function () use ($a, $session) {
            $a['query']($session, 'SET SESSION cte_max_recursion_depth = 1000000');
            return 'no error';
        });
        $results = [];
        foreach (['WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 100000) SELECT COUNT(*) FROM r',
                     'SELECT @@max_recursive_iterations', "SELECT 'later'"] as $sql) {
            $results[] = $attempt(fn () => str($first($session, $sql)[0]));
        }
        $session = null;
        return [str_starts_with($second, 'error 1193') && implode(',', $results) === '100000,1000000,later',
            "second_set=$second " . vsprintf('cte=%s iterations=%s later=%s', $results)];
    });

    $check('user-variable-update', function () use ($a, $main, $first, $table) {
        $t = "{$table}_uv";
        $a['query']($main, "CREATE OR REPLACE TABLE $t (id INT PRIMARY KEY, name VARCHAR(20))");
        $a['query']($main, "INSERT INTO $t VALUES (1, 'a'), (2, 'b'), (3, 'c')");
        $a['query']($main, 'SET @l = 1');
        $changed = $a['affected']($main, "UPDATE $t SET name = CONCAT(name, @l := @l + 1) ORDER BY id");
        [$names, $last] = array_map('str', $first($main, "SELECT GROUP_CONCAT(IFNULL(name, 'NULL') ORDER BY id), @l FROM $t"));
        return [$names === 'a2,b3,c4' && $last === '4', "changed=$changed names=$names @l=$last"];
    });

    // Two sessions that ask for latin1 when they connect; one changes to utf8mb4, the other must stay latin1.
    $check('handshake-charset', function () use ($a, $options, $first) {
        $changed = $a['connect']($options, false, 'latin1');
        $kept = $a['connect']($options, false, 'latin1');
        $a['query']($changed, 'SET NAMES utf8mb4');
        $rounds = [];
        for ($i = 0; $i < 3; $i++) {
            $rounds[] = $first($changed, 'SELECT @@character_set_client')[0] . '+'
                . implode('/', $first($kept, 'SELECT @@character_set_client, @@character_set_results'));
        }
        $changed = $kept = null;
        return [count(array_filter($rounds, fn ($r) => $r !== 'utf8mb4+latin1/latin1')) === 0, implode(' ', $rounds)];
    });

    $check('multi-statements', function () use ($a, $main, $first) {
        $sets = $a['multi']($main, "SELECT 1 AS a; DO 0; SELECT 'b', 2 UNION ALL SELECT 'c', 3; SELECT NULL");
        [$after] = $first($main, "SELECT 'after'");
        $observed = implode(' | ', array_map('rows_text', $sets)) . " then $after";
        return [$observed === '1 | b,2;c,3 | NULL then after', $observed];
    });

    $check('main-session-state', function () use ($main, $first) {
        $row = array_map('str', $first($main, 'SELECT @@time_zone, @@max_recursive_iterations, @@character_set_client, @l'));
        return [implode(',', $row) === 'SYSTEM,1000,utf8mb4,4', vsprintf('time_zone=%s iterations=%s character_set_client=%s @l=%s', $row)];
    });

    $check('other-session-state', function () use ($other, $first) {
        $row = array_map('str', $first($other, 'SELECT @@time_zone, @@character_set_client, @l'));
        return [implode(',', $row) === '+05:00,latin1,NULL', vsprintf('time_zone=%s character_set_client=%s @l=%s', $row)];
    });
}
