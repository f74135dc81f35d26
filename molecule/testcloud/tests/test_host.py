"""A test-cloud host behaves like a real server (run by Molecule's testinfra verifier)."""

from __future__ import annotations

import ipaddress


def test_systemd_runs_and_nothing_failed(host):
    state = host.run("systemctl is-system-running --wait")
    assert state.stdout.strip() == "running", host.run("systemctl --failed --no-legend").stdout


def test_ssh_and_python(host):
    assert host.service("ssh").is_running
    assert host.exists("python3")


def test_hostname(host):
    assert host.check_output("hostname") == "aio1"


def test_addresses_as_planned(host):
    ansible_vars = host.ansible.get_variables()
    assert host.interface("eth0").addresses[0] == ansible_vars["nimbus_mgmt_address"]
    assert ipaddress.ip_address(ansible_vars["nimbus_mgmt_address"]) in ipaddress.ip_network("172.29.236.0/24")
    assert host.interface("eth1").addresses[0] == ansible_vars["nimbus_overlay_address"]
    # The provider interface is up and carries no address.
    assert host.interface("eth2").exists
    assert "UP" in host.check_output("ip -br link show eth2")
    assert host.check_output("ip -4 -o addr show eth2") == ""


def test_no_default_route(host):
    # A test cloud never routes out of the machine.
    assert host.check_output("ip route show default") == ""


def test_devices_and_writable_proc_sys_net(host):
    for dev in ("/dev/net/tun", "/dev/kvm", "/dev/loop-control"):
        assert host.run("test -c " + dev).rc == 0, dev
    knob = "/proc/sys/net/ipv4/conf/default/rp_filter"
    assert host.run(f"value=$(cat {knob}) && echo $value > {knob}").rc == 0  # same value back


def test_namespaces_and_bridges_work_inside(host):
    cmd = host.run("ip netns add probe && ip -n probe link add br0 type bridge && ip netns del probe")
    assert cmd.rc == 0, cmd.stderr


def test_package_came_through_the_cache(host):
    assert host.package("bridge-utils").is_installed
    assert "3142" in host.file("/etc/apt/apt.conf.d/00nimbus-proxy").content_string


def test_reboot_kept_the_disk_and_cleared_kernel_state(host):
    assert host.file("/root/testcloud-mark").content_string == "kept across reboots\n"
    assert not host.interface("stalebr0").exists
    assert "stalens" not in host.check_output("ip netns list")
    assert host.check_output("cat /proc/sys/net/ipv4/ip_forward") == "0"
