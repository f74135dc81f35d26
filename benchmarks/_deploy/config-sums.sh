#!/bin/sh
# Checksums of the configuration the deployment writes: every file under the
# services' /etc directories, and the shared files the roles change.
for path in /etc/keystone /etc/glance /etc/placement /etc/nova /etc/neutron /etc/cinder /etc/heat \
            /etc/ceph /etc/openstack-dashboard /etc/mysql /etc/rabbitmq /etc/apache2 /etc/memcached.conf \
            /etc/default /etc/sysctl.d /etc/modules-load.d /etc/hosts /etc/libvirt /etc/systemd/system; do
    [ -e "$path" ] && find "$path" -type f
done | sort | xargs md5sum
