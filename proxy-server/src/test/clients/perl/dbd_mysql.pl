#!/usr/bin/perl
# Client matrix checks with DBD::mysql. Usage: dbd_mysql.pl host port user password database [compress]
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;

BEGIN {
    unless (eval { require DBI; require DBD::mysql; 1 }) {
        (my $why = $@) =~ s/\s+/ /g;
        print STDERR "missing driver: $why; install the Debian package libdbd-mysql-perl\n";
        exit 3;
    }
}
use Matrix;

Matrix::run(name => 'dbd_mysql', driver => 'mysql', prefix => 'mysql', compression => 'mysql_compression=1',
    options => { mysql_enable_utf8mb4 => 1 }, use_result => 1);
