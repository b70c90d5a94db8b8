#!/usr/bin/perl
# Client matrix checks with DBD::MariaDB. Usage: dbd_mariadb.pl host port user password database [compress]
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;

BEGIN {
    unless (eval { require DBI; require DBD::MariaDB; 1 }) {
        (my $why = $@) =~ s/\s+/ /g;
        print STDERR "missing driver: $why; install the Debian package libdbd-mariadb-perl\n";
        exit 3;
    }
}
use Matrix;

# Before 1.23, mariadb_use_result returns no rows and leaves the connection out of sync
# (perl5-dbi/DBD-MariaDB#173), so older versions read the large result buffered.
my $use_result = $DBD::MariaDB::VERSION >= 1.23;
Matrix::run(name => 'dbd_mariadb', driver => 'MariaDB', prefix => 'mariadb', compression => 'mariadb_compression=1',
    options => {}, use_result => $use_result, store_result_why => "DBD::MariaDB $DBD::MariaDB::VERSION cannot stream");
