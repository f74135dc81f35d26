"""Compute end to end, as a tenant and an operator see it.

A server boots from the collection's guest image (kernel + busybox initramfs,
uploaded by the guest_image role in converge) on a tenant network behind a
router. Its console shows the guest's marker line with its own instance id,
which it can only know from the metadata service, reached through DHCP's
address and route. Then a floating IP, and an SSH login with the keypair the
server was booted with (which the guest took from the metadata service), from
this machine through the test cloud's external bridge. Last, the server goes
and Placement's usage of the compute host returns to what it was before the
server (other servers of the cloud keep theirs).

Everything the tests make they delete, also when a test fails.
"""

from __future__ import annotations

import ipaddress

import pytest
from cloudtest import FLAVOR, MARKER, placement_usages, ssh, wait_for

TENANT_CIDR = "10.214.0.0/24"
CONTROLLER_UNITS = ["glance-api", "placement-api", "nova-api", "nova-conductor", "nova-scheduler",
                    "nova-novncproxy"]
COMPUTE_UNITS = ["libvirtd", "nova-compute"]
PLACEMENT_USAGE_CLASSES = ("VCPU", "MEMORY_MB", "DISK_GB")


@pytest.mark.parametrize("unit", CONTROLLER_UNITS + COMPUTE_UNITS)
def test_unit_enabled_and_running(host, unit):
    service = host.service(unit)
    assert service.is_running and service.is_enabled


def unit_pids(host, unit):
    """The processes in the unit's control group (whichever hierarchy the host
    has); a 0 there is a process of another PID namespace, not the host's."""
    cgroup = host.check_output("systemctl show -p ControlGroup --value %s", unit)
    return set(host.run("cat /sys/fs/cgroup/unified%s/cgroup.procs /sys/fs/cgroup/systemd%s/cgroup.procs "
                        "/sys/fs/cgroup%s/cgroup.procs", cgroup, cgroup, cgroup).stdout.split()) - {"0"}


def test_metadata_api_served_by_nova_api(host):
    """nova_controller_metadata_in_api (default): nova-api's processes listen on
    the metadata port, nova-api-metadata is off. (The guests' boots prove the
    metadata answers: they wait for their SSH key from it.)"""
    metadata = host.service("nova-api-metadata")
    assert not metadata.is_running and not metadata.is_enabled
    api_pids = unit_pids(host, "nova-api")
    listeners = host.check_output("ss -Htlnp 'sport = :8775'")
    assert api_pids and api_pids & {pid.split(",")[0] for pid in listeners.split("pid=")[1:]}, listeners


def test_nova_api_workers_share_the_loaded_application(host):
    """uwsgi loads nova-api's application before it forks the workers (and
    gc.freeze() keeps them from writing to it): most of each worker's memory
    is pages it shares with the master. Loaded in each worker (lazy-apps),
    nearly all of it would be its own."""
    shared = {}
    for pid in unit_pids(host, "nova-api"):
        rollup = dict(line.split(":") for line in host.file("/proc/%s/smaps_rollup" % pid).content_string.splitlines()[1:])
        shared[pid] = int(rollup["Shared_Dirty"].split()[0]) // 1024
    assert len(shared) >= 3 and min(shared.values()) >= 40, "MiB shared dirty by nova-api's processes: %s" % shared


def test_libvirt_guests_disabled(host):
    # It would hold a host's shutdown for minutes; Nova owns the guests.
    assert not host.service("libvirt-guests").is_enabled


def test_virt_type_is_what_kvm_allows(host):
    # kvm only where the probe ran a guest under KVM (never on these test clouds' nested KVM).
    probe = host.ansible("nimbus.openstack.kvm_info", check=False)
    conf = host.file("/etc/nova/nova-compute.conf").content_string
    assert "virt_type = %s" % probe["virt_type"] in conf


def test_compute_service_up_and_mapped(conn, host):
    node = host.check_output("uname -n")
    services = [s for s in conn.compute.services() if s.binary == "nova-compute" and s.host == node]
    assert [(s.state, s.status) for s in services] == [("up", "enabled")]
    mapped = host.check_output("runuser -u nova -- nova-manage cell_v2 list_hosts")
    assert node in mapped


def test_cells(host):
    cells = host.check_output("runuser -u nova -- nova-manage cell_v2 list_cells")
    assert "cell0" in cells and "cell1" in cells


def test_guest_image_uploaded_with_boot_properties(conn, guest_image):
    assert guest_image.status == "active" and guest_image.container_format == "bare"
    kernel = conn.image.get_image(guest_image.kernel_id)
    ramdisk = conn.image.get_image(guest_image.ramdisk_id)
    # Raw, so that Debian's Zed Nova can live-migrate the server (roles/guest_image).
    assert (kernel.disk_format, kernel.container_format, kernel.status) == ("raw", "bare", "active")
    assert (ramdisk.disk_format, ramdisk.container_format, ramdisk.status) == ("raw", "bare", "active")
    assert "console=ttyS0" in guest_image.os_command_line


def test_flavor_fits_guest_image(conn, guest_image):
    flavor = conn.compute.find_flavor(FLAVOR, ignore_missing=False)
    assert flavor.disk >= (guest_image.min_disk or 0)
    assert flavor.ram >= (guest_image.min_ram or 0)
    assert flavor.vcpus == 1


def host_usage(usages, host_name):
    """Of placement_usages(), the compute host's resource provider's: {resource class: amount}."""
    usages = {name: usage for name, usage in usages.items() if name.split(".")[0] == host_name}
    assert len(usages) == 1, "resource providers for %s: %s" % (host_name, sorted(usages))
    return next(iter(usages.values()))


def test_server_lifecycle(conn, server, host):
    """Boot, console, floating IP + SSH, delete: steps of one server's life, in order."""
    cloud_vars = host.ansible.get_variables()
    node = host.check_output("uname -n")
    flavor = conn.compute.find_flavor(FLAVOR, ignore_missing=False)

    # Boot: ACTIVE, and Placement counts what the flavor asks for.
    made = conn.compute.wait_for_server(server["server"], status="ACTIVE", failures=["ERROR"], wait=300)
    before = host_usage(server["usages_before"], node)
    usage = host_usage(placement_usages(conn), node)
    assert (usage["VCPU"] - before.get("VCPU", 0), usage["MEMORY_MB"] - before.get("MEMORY_MB", 0)) == (
        flavor.vcpus, flavor.ram)

    # DHCP and metadata: the guest prints its own instance id, which only the
    # metadata service can have told it.
    line = "%s instance-id=%s" % (MARKER, made.id)

    def console():
        return line in conn.compute.get_server_console_output(made)["output"]

    assert wait_for(console, 300, 5), "no %r in the console log:\n%s" % (
        line, conn.compute.get_server_console_output(made)["output"][-3000:])

    # A floating IP of the cloud's own external range, and SSH through its bridge.
    port = next(conn.network.ports(device_id=made.id))
    server["fip"] = conn.network.create_ip(floating_network_id=server["external"].id, port_id=port.id)
    address = server["fip"].floating_ip_address
    assert ipaddress.ip_address(address) in ipaddress.ip_network(cloud_vars["nimbus_external_cidr"])
    bridge = "nb-%s-ext" % cloud_vars["nimbus_testcloud_name"]

    def login():
        result = ssh(server["key"], address, bridge, "ip -4 -o addr show dev eth0")
        return result if result.returncode == 0 else None

    result = wait_for(login, 180, 5)
    assert result, "no SSH login to %s through %s: %s" % (
        address, bridge, ssh(server["key"], address, bridge, "true").stderr)
    # The command ran on the server: it shows the server's own fixed address.
    assert " %s/" % port.fixed_ips[0]["ip_address"] in result.stdout

    # Delete: Placement's usage of the compute host returns to what it was.
    conn.compute.delete_server(made)
    conn.compute.wait_for_delete(made, wait=180)

    def freed():
        usage = host_usage(placement_usages(conn), node)
        return all(usage.get(name, 0) == before.get(name, 0) for name in PLACEMENT_USAGE_CLASSES)

    assert wait_for(freed, 60, 2), "placement usage of %s: %s, before the server %s" % (
        node, host_usage(placement_usages(conn), node), before)


@pytest.mark.parametrize("project, packages", [
    ("neutron", "neutron.privileged"),
    ("nova", "nova.privsep,os_brick.privileged,vif_plug_linux_bridge.privsep"),
])
def test_privsep_daemons_come_from_the_zygote(host, project, packages):
    """After a server's life (test_server_lifecycle) the agents and nova-compute
    have used their privileged contexts: every daemon of those is a child of
    the project's privsep zygote (role privsep_zygote), with its command line,
    in the control group of the service that asked for it; no privsep-helper
    of its own runs."""
    unit = "nimbus-privsep-%s.service" % project
    zygote = host.check_output("systemctl show -p MainPID --value %s", unit)
    daemons = [p.pid for p in host.process.filter(user="root")
               if p.args.endswith("privsep_zygote.py serve %s" % packages) and str(p.pid) != zygote]
    assert daemons, "no privsep daemon forked by %s" % unit
    for pid in daemons:
        cgroup = host.check_output("cat /proc/%s/cgroup", str(pid))
        assert unit not in cgroup and ".service" in cgroup, (pid, cgroup)
    # The agents' rootwrap daemons (used within their last 10 minutes) too; a
    # rootwrap request that found no zygote runs the daemon in its own process.
    own = ("privsep-helper", "rootwrap-daemon", "privsep_zygote.py rootwrap")
    stock = [p.args for p in host.process.filter() if p.comm != "sudo" and any(name in p.args for name in own)]
    assert not stock, "privsep or rootwrap daemons started without the zygote: %s" % stock
