package Matrix;
# The client matrix checks for a Perl DBI driver (DBD::mysql or DBD::MariaDB), whose attributes
# differ only by their prefix ("mysql_" or "mariadb_"). Each check prints one line,
# "PASS <check> <observed>" or "FAIL <check> <observed>", with nothing in it that differs between
# two runs against the same server, so a direct run and a proxied run can be compared line by line.
use strict;
use warnings;
use utf8;

my $TEXT = "emoji \x{1F600} \x{6f22}\x{5b57} \x{f1}";

sub str { defined $_[0] ? "$_[0]" : 'NULL' }

sub rows_text { join ';', map { join ',', map { str($_) } @$_ } @{ $_[0] } }

# The error of the last DBI call, whichever handle made it.
sub error_text { sprintf 'error %s %s %s', str($DBI::err), str($DBI::state), str($DBI::errstr) }

# host, port, user, password, database, and whether to compress (an optional sixth argument,
# "compress").
sub arguments {
    return (@ARGV, 0) if @ARGV == 5;
    return (@ARGV[0 .. 4], 1) if @ARGV == 6 && $ARGV[5] eq 'compress';
    print STDERR "usage: $0 host port user password database [compress]\n";
    exit 2;
}

sub run {
    # name (for table names), driver (DBI's), prefix (of its attributes), options (to connect),
    # compression (the DSN attribute that turns protocol compression on),
    # use_result (stream the large result) or store_result_why (why not)
    my (%driver) = @_;
    my ($host, $port, $user, $password, $database, $compress) = arguments();
    binmode STDOUT, ':encoding(UTF-8)';
    $| = 1;
    my $p = $driver{prefix};
    my $name = $driver{name};
    my $table = "cm_$name";
    my $connect = sub {
        my ($multi) = @_;
        my $dsn = "DBI:$driver{driver}:database=$database;host=$host;port=$port;${p}_connect_timeout=10"
            . ($multi ? ";${p}_multi_statements=1" : '') . ($compress ? ";$driver{compression}" : '');
        DBI->connect($dsn, $user, $password, { RaiseError => 1, PrintError => 0, AutoCommit => 1, %{ $driver{options} } })
            or die $DBI::errstr;
    };
    my $main = $connect->(1);
    my $other;
    my $first = sub { my ($dbh, $sql, @params) = @_; $dbh->selectrow_arrayref($sql, undef, @params) };
    my $attempt = sub {
        my ($body) = @_;
        my $result = eval { $body->() };
        return defined $result ? $result : error_text();
    };
    my $check = sub {
        my ($check, $body) = @_;
        my ($ok, $observed) = eval { $body->() };
        if ($@) {
            (my $died = $@) =~ s/\s+/ /g;
            ($ok, $observed) = (0, $DBI::err ? error_text() : "died: $died");
        }
        print(($ok ? 'PASS ' : 'FAIL ') . "$check $observed\n");
        $other->selectrow_arrayref('SELECT COUNT(*) FROM seq_1_to_10') if $other;
    };

    $check->(connect => sub {
        my ($db, $current, $autocommit) = @{ $first->($main, 'SELECT DATABASE(), CURRENT_USER(), @@autocommit') };
        my ($ok, $observed) = ($db eq $database, "db=$db user=$current autocommit=$autocommit");
        if ($compress) {
            # A compression option the driver ignores leaves the status OFF, which fails the direct run.
            my $row = $first->($main, "SHOW SESSION STATUS LIKE 'Compression'");
            my $compression = $row ? str($row->[1]) : 'none';
            $ok &&= $compression eq 'ON';
            $observed .= " compression=$compression";
        }
        return ($ok, $observed);
    });
    $other = $connect->(0);
    $other->do("SET SESSION time_zone = '+05:00'");
    $other->do('SET NAMES latin1');

    $check->(session => sub {
        my @row = @{ $first->($main, 'SELECT @@character_set_client, @@character_set_connection, '
            . '@@character_set_results, @@collation_connection, @@time_zone, @@sql_mode') };
        return ($row[0] eq 'utf8mb4', sprintf 'client=%s connection=%s results=%s collation=%s time_zone=%s sql_mode=%s', @row);
    });

    $check->(utf8mb4 => sub {
        my $t = "${table}_text";
        $main->do("CREATE OR REPLACE TABLE $t (id INT PRIMARY KEY, s VARCHAR(40)) CHARACTER SET utf8mb4");
        $main->do("INSERT INTO $t VALUES (1, ?)", undef, $TEXT);
        my ($s, $length, $hex, $charset) = @{ $first->($main, "SELECT s, CHAR_LENGTH(s), HEX(s), \@\@character_set_client FROM $t WHERE id = 1") };
        my ($literal) = @{ $first->($main, "SELECT CHAR_LENGTH('$TEXT')") };
        my $same = $s eq $TEXT ? 'true' : 'false';
        return ($same eq 'true' && $length == 12 && $literal == 12 && $charset eq 'utf8mb4',
            "same=$same char_length=$length literal_char_length=$literal hex=$hex character_set_client=$charset");
    });

    $check->(prepared => sub {
        my $sth = $main->prepare('SELECT CAST(? AS SIGNED) + seq, CONCAT(?, seq) FROM seq_1_to_3 ORDER BY seq',
            { "${p}_server_prepare" => 1 });
        my $run = sub { $sth->execute(@_); rows_text($sth->fetchall_arrayref) };
        my @results = ($run->(10, 'a'), $run->(20, "\x{f1}\x{1F600}"));
        push @results, $attempt->(sub {
            my $bad = $main->prepare("SELECT * FROM cm_missing_$name WHERE id = ?", { "${p}_server_prepare" => 1 });
            $bad->execute(1);
            rows_text($bad->fetchall_arrayref);
        });
        push @results, $run->(0, 'x');
        return ($results[0] eq '11,a1;12,a2;13,a3' && $results[1] eq "21,\x{f1}\x{1F600}1;22,\x{f1}\x{1F600}2;23,\x{f1}\x{1F600}3"
            && $results[2] =~ /^error 1146/ && $results[3] eq '1,x1;2,x2;3,x3', join ' | ', @results);
    });

    $check->(stream => sub {
        my $sth = $main->prepare("SELECT seq, CONCAT('row-', seq) FROM seq_1_to_200000",
            { "${p}_use_result" => $driver{use_result} ? 1 : 0 });
        $sth->execute;
        my ($rows, $sum, $lengths) = (0, 0, 0);
        while (my $row = $sth->fetchrow_arrayref) {
            $rows++;
            $sum += $row->[0];
            $lengths += length $row->[1];
        }
        $sth->finish;
        my $expected = join ',', @{ $first->($main, "SELECT COUNT(*), SUM(seq), SUM(LENGTH(CONCAT('row-', seq))) FROM seq_1_to_200000") };
        my $mode = $driver{use_result} ? 'use_result' : "store_result ($driver{store_result_why})";
        return ("$rows,$sum,$lengths" eq $expected, "rows=$rows sum=$sum lengths=$lengths mode=$mode");
    });

    $check->('error-then-ok' => sub {
        my $failed = $attempt->(sub { $main->do("SELECT * FROM cm_missing_$name"); 'no error' });
        my ($after) = @{ $first->($main, "SELECT 'after'") };
        return ($failed =~ /^error 1146 42S02/ && $after eq 'after', "$failed then $after");
    });

    # On a session of its own, so that what a failed SET leaves behind shows here and nowhere else.
    $check->('failed-set' => sub {
        my $session = $connect->(0);
        $session->do('SET SESSION max_recursive_iterations = 1000000');
        my $second = $attempt->(sub { $session->do('SET SESSION cte_max_recursion_depth = 1000000'); 'no error' });
        my @results = map {
            my $sql = $_;
            $attempt->(sub { str($first->($session, $sql)->[0]) });
        } ('WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 100000) SELECT COUNT(*) FROM r',
            'SELECT @@max_recursive_iterations', "SELECT 'later'");
        $session->disconnect;
        return ($second =~ /^error 1193/ && join(',', @results) eq '100000,1000000,later',
            sprintf 'second_set=%s cte=%s iterations=%s later=%s', $second, @results);
    });

    $check->('user-variable-update' => sub {
        my $t = "${table}_uv";
        $main->do("CREATE OR REPLACE TABLE $t (id INT PRIMARY KEY, name VARCHAR(20))");
        $main->do("INSERT INTO $t VALUES (1, 'a'), (2, 'b'), (3, 'c')");
        $main->do('SET @l = 1');
        my $changed = $main->do("UPDATE $t SET name = CONCAT(name, \@l := \@l + 1) ORDER BY id");
        my ($names, $last) = map { str($_) } @{ $first->($main, "SELECT GROUP_CONCAT(IFNULL(name, 'NULL') ORDER BY id), \@l FROM $t") };
        return ($names eq 'a2,b3,c4' && $last eq '4', "changed=$changed names=$names \@l=$last");
    });

    print "SKIP handshake-charset the driver has no option for the character set it asks for when it connects\n";

    $check->('multi-statements' => sub {
        my $sth = $main->prepare("SELECT 1 AS a; DO 0; SELECT 'b', 2 UNION ALL SELECT 'c', 3; SELECT NULL");
        $sth->execute;
        my @sets;
        do {
            push @sets, rows_text($sth->fetchall_arrayref) if $sth->{NUM_OF_FIELDS};
        } while ($sth->more_results);
        my ($after) = @{ $first->($main, "SELECT 'after'") };
        my $observed = join(' | ', @sets) . " then $after";
        return ($observed eq '1 | b,2;c,3 | NULL then after', $observed);
    });

    $check->('main-session-state' => sub {
        my @row = map { str($_) } @{ $first->($main, 'SELECT @@time_zone, @@max_recursive_iterations, @@character_set_client, @l') };
        return (join(',', @row) eq 'SYSTEM,1000,utf8mb4,4', sprintf 'time_zone=%s iterations=%s character_set_client=%s @l=%s', @row);
    });

    $check->('other-session-state' => sub {
        my @row = map { str($_) } @{ $first->($other, 'SELECT @@time_zone, @@character_set_client, @l') };
        return (join(',', @row) eq '+05:00,latin1,NULL', sprintf 'time_zone=%s character_set_client=%s @l=%s', @row);
    });

    $other->disconnect;
    $main->disconnect;
}

1;
