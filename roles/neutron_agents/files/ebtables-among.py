#!/usr/bin/python3
"""ebtables-nft, except that a rule with an among match is deleted by its number.

Written by nimbus.openstack's neutron_agents role and made the `ebtables`
alternative. ebtables-nft 1.8.9 (Debian 12) cannot delete an --among-src rule
by its description ("RULE_DELETE failed (Invalid argument)"). Neutron's
linuxbridge agent deletes a port's MAC rule that way each time it processes
the port again (a security group or address change); the failure then repeats
in every loop of the agent, which plugs no other port until it is restarted.
Every other command goes to ebtables-nft unchanged.
"""

import os
import subprocess
import sys

EBTABLES = "/usr/sbin/ebtables-nft"


def by_number(args):
    """`-D CHAIN N` for a `-D CHAIN RULE...` whose rule has an among match; None otherwise."""
    if "-D" not in args or not {"--among-src", "--among-dst"} & set(args):
        return None
    at = args.index("-D")
    head, chain, rule = args[:at], args[at + 1], args[at + 2:]
    listing = subprocess.run([EBTABLES, *head, "-L", chain, "--Ln"], capture_output=True, text=True,
                             check=False).stdout
    for line in listing.splitlines():
        number, _sep, text = line.strip().partition(" ")
        if number.rstrip(".").isdigit() and text.split() == rule:
            return [*head, "-D", chain, number.rstrip(".")]
    return None


if __name__ == "__main__":
    arguments = sys.argv[1:]
    os.execv(EBTABLES, [EBTABLES, *(by_number(arguments) or arguments)])
