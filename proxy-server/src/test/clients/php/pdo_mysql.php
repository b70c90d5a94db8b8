<?php
// Client matrix checks with PDO_mysql. Usage: php pdo_mysql.php host port user password database [compress]
if (!extension_loaded('pdo_mysql')) {
    fwrite(STDERR, "missing driver: the pdo_mysql extension is not loaded; install the Debian package php-mysql\n");
    exit(3);
}
require __DIR__ . '/matrix.php';

run_matrix('pdo_mysql', [
    'connect' => fn (array $o, bool $multi, string $charset = 'utf8mb4') => new PDO(
        "mysql:host={$o['host']};port={$o['port']};dbname={$o['database']};charset=$charset", $o['user'], $o['password'],
        [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION, PDO::ATTR_TIMEOUT => 10, PDO::MYSQL_ATTR_MULTI_STATEMENTS => $multi,
            PDO::MYSQL_ATTR_COMPRESS => $o['compress']]),
    'query' => function (PDO $c, string $sql, ?array $params = null) {
        $statement = $c->prepare($sql);
        $statement->execute($params ?? []);
        $rows = $statement->columnCount() > 0 ? $statement->fetchAll(PDO::FETCH_NUM) : [];
        $statement->closeCursor();
        return $rows;
    },
    'execute' => function (PDO $c, string $sql, array $params) {
        $c->setAttribute(PDO::ATTR_EMULATE_PREPARES, false);
        try {
            $statement = $c->prepare($sql);
            $statement->execute($params);
            $rows = $statement->fetchAll(PDO::FETCH_NUM);
            $statement->closeCursor();
            return $rows;
        } finally {
            $c->setAttribute(PDO::ATTR_EMULATE_PREPARES, true);
        }
    },
    'affected' => fn (PDO $c, string $sql) => $c->exec($sql),
    'multi' => function (PDO $c, string $sql) {
        $sets = [];
        $statement = $c->query($sql);
        do {
            if ($statement->columnCount() > 0) {
                $sets[] = $statement->fetchAll(PDO::FETCH_NUM);
            }
        } while ($statement->nextRowset());
        $statement->closeCursor();
        return $sets;
    },
    'stream' => function (PDO $c, string $sql, callable $onRow) {
        $c->setAttribute(PDO::MYSQL_ATTR_USE_BUFFERED_QUERY, false);
        try {
            $statement = $c->query($sql);
            while (($row = $statement->fetch(PDO::FETCH_NUM)) !== false) {
                $onRow($row);
            }
            $statement->closeCursor();
        } finally {
            $c->setAttribute(PDO::MYSQL_ATTR_USE_BUFFERED_QUERY, true);
        }
    },
    'error' => fn (Throwable $e) => $e instanceof PDOException && is_array($e->errorInfo)
        ? "error {$e->errorInfo[1]} {$e->errorInfo[0]} {$e->errorInfo[2]}" : null,
], $argv);
