#!/usr/bin/perl
# tree-hashes.pl: prints "PATH<TAB>SHA256" for every regular file below the current directory
# (PATH relative to it), for cl_tree in lib.sh, without ever following a symbolic link.
#
# `find -type f | xargs sha256sum` follows a link that replaces a file, or one of its parent
# directories, between find's listing and the read: cl_converge polls trees while csync2 is
# still writing them, and cluster/scenarios/80-hostile-symlinks.sh watches the links' targets
# outside the tree, so the test harness itself opened them now and then. Here every directory
# is entered with chdir and checked to be the one lstat saw (chdir opens nothing), and every
# file is opened relative to it with O_NOFOLLOW, so a path that changed meanwhile is reported
# as such ("changed", "link", "not-a-file"), which differs from any hash: the trees differ and
# cl_converge looks again.
use strict;
use warnings;
use Digest::SHA;
use Fcntl qw(O_RDONLY O_NOFOLLOW O_NONBLOCK S_ISDIR S_ISREG);

# Test seam (unittest/check_tree_hashes.sh): right after lstat of the entry named
# $TREE_HASHES_SWAP, it is moved to NAME.away and the link NAME.link takes its place, as if
# csync2 replaced it by a link at that moment.
my $swap = $ENV{TREE_HASHES_SWAP} // '';
sub race {
  my ($name) = @_;
  return if $swap eq '' || $name ne $swap;
  rename $name, "$name.away" and rename "$name.link", $name or die "tree-hashes: swap of $name: $!\n";
}

sub walk {
  my ($rel) = @_;
  opendir(my $dh, '.') or return;
  my @names = grep { $_ ne '.' && $_ ne '..' } readdir $dh;
  for my $name (@names) {
    my $path = $rel eq '' ? $name : "$rel/$name";
    next if $path =~ /\n/;  # cl_tree's listing is one line per path; find lists it as two
    my @st = lstat $name or next;
    race($name);
    if (S_ISDIR($st[2])) {
      if (chdir $name) {
        my @here = stat '.';
        if (@here && $here[0] == $st[0] && $here[1] == $st[1]) {
          walk($path);
        } else {
          print "$path\tchanged\n";
        }
        chdir $dh or die "tree-hashes: cannot return to the directory of $path: $!\n";
      }
    } elsif (S_ISREG($st[2])) {
      my $sum;
      if (sysopen my $fh, $name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK) {
        binmode $fh;
        my @now = stat $fh;
        $sum = S_ISREG($now[2]) ? Digest::SHA->new(256)->addfile($fh)->hexdigest : 'not-a-file';
        close $fh;
      } else {
        $sum = -l $name ? 'link' : 'unreadable';
      }
      print "$path\t$sum\n";
    }
  }
  closedir $dh;
}

walk('');
