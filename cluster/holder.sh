#!/bin/bash
# Long-lived holder of one test server's namespaces; started by cl_node_add as
#   ip netns exec NS unshare --mount --uts --propagation private holder.sh NAME DIR
# It builds the server's private view of the file system (overlays of /etc, /var, /run and
# /dev whose upper layers live in DIR, bind mounts for the synced directories listed in
# DIR/binds), sets the host name, writes DIR/holder.pid and then just sleeps: every command
# of the tests joins its namespaces with nsenter. Killing it (and everything else in the
# network namespace) releases all mounts, since nothing outside this namespace sees them.
set -eu
name=$1 dir=$2

for top in etc var run; do
  mkdir -p "$dir/upper/$top" "$dir/work/$top"
  mount -t overlay "overlay-$top" -o "lowerdir=/$top,upperdir=$dir/upper/$top,workdir=$dir/work/$top" "/$top"
done

# A private /dev, so each server has its own /dev/log (its syslog goes to its own file).
# The host's /dev/pts and /dev/shm are submounts, which an overlay does not carry: keep them.
mkdir -p "$dir/upper/dev" "$dir/work/dev" "$dir/devsave"
mount --rbind /dev "$dir/devsave"
mount -t overlay overlay-dev -o "lowerdir=$dir/devsave,upperdir=$dir/upper/dev,workdir=$dir/work/dev" /dev
for sub in pts shm mqueue; do
  if mountpoint -q "$dir/devsave/$sub"; then mount --bind "$dir/devsave/$sub" "/dev/$sub"; fi
done
umount -l "$dir/devsave"
rm -f /dev/log

# Synced directories: one line "HOSTDIR NODEPATH" each; the host-side directory is what the
# harness compares, the node path is what csync2 and lsyncd see.
if [ -f "$dir/binds" ]; then
  while read -r src dst; do
    [ -n "$src" ] || continue
    mkdir -p "$src" "$dst"
    mount --bind "$src" "$dst"
  done < "$dir/binds"
fi

hostname "$name"
echo $$ > "$dir/holder.pid.tmp"
mv "$dir/holder.pid.tmp" "$dir/holder.pid"
exec sleep infinity
