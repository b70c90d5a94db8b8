#!/usr/bin/perl
# Step 2 of 2: a DBD::mysql session asking for utf8mb4. Direct to MariaDB it prints len=12 cs=utf8mb4.
#   charset-then-dbd-mysql.pl HOST PORT [USER PASS DB]    (by default user app / password app, database compat)
use strict; use utf8; use DBI; binmode STDOUT, ':encoding(UTF-8)';
my ($host, $port, $user, $pass, $db) = @ARGV;
$user //= 'app'; $pass //= 'app'; $db //= 'compat';
my $dbh = DBI->connect("DBI:mysql:database=$db;host=$host;port=$port", $user, $pass, {RaiseError=>1, mysql_enable_utf8mb4=>1});
my $u = "emoji \x{1F600} 漢字 ñ";
my ($back, $len) = $dbh->selectrow_array('SELECT ?, CHAR_LENGTH(?)', undef, $u, $u);
my ($cs) = $dbh->selectrow_array('SELECT @@character_set_client');
print "back=[$back] len=$len cs=$cs\n";
