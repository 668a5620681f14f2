#!/usr/bin/perl
# Minimal syslog receiver for one test server: reads datagrams from /dev/log (the server's
# private one) and appends them, one line each, to the given file. csync2's listener logs
# only through syslog (-l), and its refusals and conflicts are what some scenarios check.
use strict;
use warnings;
use IO::Socket::UNIX;
use Socket qw(SOCK_DGRAM);
use IO::Handle;

my ($socket_path, $log_path) = @ARGV;
unlink $socket_path;
my $sock = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => $socket_path)
  or die "syslogd.pl: cannot bind $socket_path: $!\n";
chmod 0666, $socket_path;
open(my $log, '>>', $log_path) or die "syslogd.pl: cannot open $log_path: $!\n";
$log->autoflush(1);
my $msg;
while (defined $sock->recv($msg, 65536)) {
  $msg =~ s/^<\d+>//;
  $msg =~ s/[\r\n\0]+$//;
  print $log "$msg\n";
}
