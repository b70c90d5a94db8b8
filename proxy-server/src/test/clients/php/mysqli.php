<?php
// Client matrix checks with mysqli. Usage: php mysqli.php host port user password database [compress]
if (!extension_loaded('mysqli')) {
    fwrite(STDERR, "missing driver: the mysqli extension is not loaded; install the Debian package php-mysql\n");
    exit(3);
}
require __DIR__ . '/matrix.php';

mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);

$all = function (mysqli_result|bool $result): array {
    if ($result === true || $result === false) {
        return [];
    }
    $rows = $result->fetch_all(MYSQLI_NUM);
    $result->free();
    return $rows;
};

run_matrix('mysqli', [
    'connect' => function (array $o, bool $multi, string $charset = 'utf8mb4') {
        $c = mysqli_init();
        $c->options(MYSQLI_OPT_CONNECT_TIMEOUT, 10);
        $c->options(MYSQLI_SET_CHARSET_NAME, $charset);
        $c->real_connect($o['host'], $o['user'], $o['password'], $o['database'], (int) $o['port'], null,
            $o['compress'] ? MYSQLI_CLIENT_COMPRESS : 0);
        if ($multi) {
            $c->set_charset($charset); // the main session also takes the way the PHP manual recommends
        }
        return $c;
    },
    'query' => function (mysqli $c, string $sql, ?array $params = null) use ($all) {
        foreach ($params ?? [] as $value) {
            $sql = preg_replace('/\?/', "'" . $c->real_escape_string($value) . "'", $sql, 1);
        }
        return $all($c->query($sql));
    },
    'execute' => function (mysqli $c, string $sql, array $params) use ($all) {
        $statement = $c->prepare($sql);
        try {
            $statement->bind_param(str_repeat('s', count($params)), ...$params);
            $statement->execute();
            return $all($statement->get_result());
        } finally {
            $statement->close();
        }
    },
    'affected' => function (mysqli $c, string $sql) {
        $c->query($sql);
        return $c->affected_rows;
    },
    'multi' => function (mysqli $c, string $sql) use ($all) {
        $sets = [];
        $c->multi_query($sql);
        do {
            $result = $c->store_result();
            if ($result !== false) {
                $sets[] = $all($result);
            }
        } while ($c->more_results() && $c->next_result());
        return $sets;
    },
    'stream' => function (mysqli $c, string $sql, callable $onRow) {
        $result = $c->query($sql, MYSQLI_USE_RESULT);
        while (($row = $result->fetch_row()) !== null) {
            $onRow($row);
        }
        $result->free();
    },
    'error' => fn (Throwable $e) => $e instanceof mysqli_sql_exception
        ? "error {$e->getCode()} {$e->getSqlState()} {$e->getMessage()}" : null,
], $argv);
