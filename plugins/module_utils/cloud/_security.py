# Private to this collection: not a public API, may change without notice.
"""Security groups and their rules (Neutron) on the generic engine.

What is special about them:

- a rule cannot be changed, only created and deleted, and Neutron refuses to
  create a rule equal to one the group has. The task's rule is put in the form
  Neutron stores (a prefix with its netmask, the protocol's name, the whole
  port range as no range, ...) and compared the way Neutron decides
  duplicates (:func:`rule_key`), so that a re-run finds the rule it made
  instead of failing with "Security group rule already exists";
- a group's rules are a list that the task may give in full (``rules``):
  the missing ones are created, and with ``purge_rules`` the others deleted.

The functions before the classes are pure and unit-tested.
"""

from __future__ import annotations

import ipaddress

from ansible_collections.nimbus.openstack.plugins.module_utils.cloud._resource import (
    AmbiguousReference,
    ReferenceNotFound,
    ResourceModule,
    Updates,
    to_plain,
)

# The options of a rule: those of security_group_rule, and of each entry of
# security_group's rules. No defaults: normalize_rule() applies Neutron's.
RULE_OPTIONS = dict(
    direction=dict(type='str', choices=['ingress', 'egress']),
    ether_type=dict(type='str', choices=['IPv4', 'IPv6'], aliases=['ethertype']),
    protocol=dict(type='str'),
    port=dict(type='int'),
    port_range_min=dict(type='int'),
    port_range_max=dict(type='int'),
    remote_ip_prefix=dict(type='str'),
    remote_group=dict(type='str', aliases=['remote_group_id']),
    description=dict(type='str'),
)
RULE_MUTUALLY_EXCLUSIVE = [['remote_ip_prefix', 'remote_group'], ['port', 'port_range_min'], ['port', 'port_range_max']]

# ---------------------------------------------------------------------------
# Pure helpers: one rule

# Protocol names Neutron accepts, with their numbers (neutron_lib.constants.IP_PROTOCOL_MAP).
PROTOCOL_NUMBERS = {
    'ah': 51, 'dccp': 33, 'egp': 8, 'esp': 50, 'gre': 47, 'hopopt': 0, 'icmp': 1, 'igmp': 2,
    'ip': 0, 'ipip': 4, 'ipv6-encap': 41, 'ipv6-frag': 44, 'ipv6-icmp': 58, 'icmpv6': 58,
    'ipv6-nonxt': 59, 'ipv6-opts': 60, 'ipv6-route': 43, 'ospf': 89, 'pgm': 113, 'rsvp': 46,
    'sctp': 132, 'tcp': 6, 'udp': 17, 'udplite': 136, 'vrrp': 112,
}
# The name Neutron gives a number: the last name of the map (0 is 'ip'), never the legacy 'icmpv6'.
PROTOCOL_NAMES = {number: name for name, number in PROTOCOL_NUMBERS.items() if name != 'icmpv6'}
# Values that mean "every protocol": Neutron stores no protocol (newer releases
# take 'any' too; Zed refuses it); -1 is the nova convention.
ANY_PROTOCOL = ('any', '-1', '')
# Protocols with ports, and those whose port_range_min/max are an ICMP type/code.
PORT_PROTOCOLS = frozenset((6, 17, 33, 132, 136))
ICMP_PROTOCOLS = frozenset((1, 58))
# Protocols Neutron refuses in an IPv4 rule.
IPV6_PROTOCOLS = frozenset((41, 43, 44, 58, 59, 60))
# Prefixes that Neutron's duplicate check takes for "no prefix".
ANY_PREFIXES = ('0.0.0.0/0', '::/0')
DIRECTIONS = ('ingress', 'egress')
ETHER_TYPES = ('IPv4', 'IPv6')

# The normalised form of a rule: what the diff shows and what is compared.
RULE_FIELDS = ('id', 'direction', 'ether_type', 'protocol', 'port_range_min', 'port_range_max',
               'remote_ip_prefix', 'remote_group_id', 'remote_address_group_id', 'description')

# The rules Neutron gives every new group (for check mode's prediction).
DEFAULT_RULES = tuple(
    dict(dict.fromkeys(RULE_FIELDS), direction='egress', ether_type=ether_type) for ether_type in ETHER_TYPES)

# Stands for the group itself in a rule of the group's own ``rules`` whose
# remote group is the group (its id is not known before it exists).
SELF = '(this security group)'


class RuleError(ValueError):
    """A rule option with a value Neutron would refuse or read otherwise; the
    message names the option."""


def canonical_prefix(value, option='remote_ip_prefix'):
    """``(prefix, ip_version)`` for the task's remote_ip_prefix, as Neutron
    stores it: with its netmask (``10.0.0.1`` is ``10.0.0.1/32``), IPv6
    compressed in lower case. ``(None, None)`` for no prefix.

    A prefix with host bits set (``10.0.0.5/24``) is refused: Neutron would
    keep it as given, as a rule distinct from ``10.0.0.0/24``, and whether a
    network or one address is meant cannot be told.
    """
    if value is None or str(value).strip() == '':
        return None, None
    text = str(value).strip()
    try:
        network = ipaddress.ip_network(text, strict=True)
    except ValueError:
        try:
            interface = ipaddress.ip_interface(text)
        except ValueError:
            raise RuleError('%s: %r is no IP address or network in CIDR notation (such as 192.0.2.0/24)'
                            % (option, text)) from None
        raise RuleError('%s: %s has host bits set: give the network (%s) or the one address (%s)' % (
            option, text, interface.network, ipaddress.ip_network(interface.ip))) from None
    return str(network), network.version


def stored_prefix(value):
    """A prefix as a rule has it, in canonical form (host bits kept, as
    Neutron keeps them); other values unchanged."""
    try:
        return str(ipaddress.ip_interface(str(value))) if value else None
    except ValueError:
        return value


def protocol_number(protocol):
    """The number of a canonical protocol (a name or a number as a string); None for none."""
    if protocol is None:
        return None
    return PROTOCOL_NUMBERS[protocol] if protocol in PROTOCOL_NUMBERS else int(protocol)


def is_ipv6_protocol(value):
    """Whether the task's protocol exists only for IPv6 (ipv6-icmp, 58, ...)."""
    text = str(value).strip().lower() if value is not None else ''
    if text in PROTOCOL_NUMBERS:
        return PROTOCOL_NUMBERS[text] in IPV6_PROTOCOLS
    return text.isdigit() and int(text) in IPV6_PROTOCOLS


def canonical_protocol(value, ether_type, option='protocol'):
    """The protocol as Neutron stores it, or None for every protocol.

    Neutron's name for a number (``6`` is ``tcp``, ``0`` is ``ip``), names in
    lower case, and ICMP of an IPv6 rule as ``ipv6-icmp`` (Neutron turns
    ``icmp``, ``icmpv6`` and ``1`` into it). Two protocols are the same rule
    for Neutron exactly when their canonical forms are equal (``hopopt`` and
    ``ip`` are both 0, yet different rules).
    """
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in ANY_PROTOCOL:
        return None
    if text.isdigit() or (text.startswith('-') and text[1:].isdigit()):
        number = int(text)
        if not 0 <= number <= 255:
            raise RuleError('%s: %s is no IP protocol number (0-255; -1 or any for every protocol)'
                            % (option, value))
        if ether_type == 'IPv6' and number == 1:
            number = 58
        protocol = PROTOCOL_NAMES.get(number, str(number))
    elif text in PROTOCOL_NUMBERS:
        protocol = text
        if text == 'icmpv6' or (ether_type == 'IPv6' and text == 'icmp'):
            protocol = 'ipv6-icmp'
    else:
        raise RuleError('%s: unknown protocol %r; use any, a number 0-255 or one of %s'
                        % (option, value, ', '.join(sorted(PROTOCOL_NUMBERS))))
    if ether_type == 'IPv4' and protocol_number(protocol) in IPV6_PROTOCOLS:
        raise RuleError('%s %s is an IPv6 protocol, but ether_type is IPv4' % (option, value))
    return protocol


def canonical_ports(protocol, port, port_min, port_max, where=''):
    """``(port_range_min, port_range_max)`` as Neutron stores them.

    ``port`` is one port (the same min and max). -1 means "any" (no value).
    For TCP, UDP, SCTP, DCCP and UDP-Lite a min alone is one port, and the
    whole range 1-65535 is stored as no range. For ICMP, min and max are the
    ICMP type and code. Other protocols have no ports.
    """
    number = protocol_number(protocol)
    if port is not None:
        if port_min is not None or port_max is not None:
            raise RuleError('%sport cannot be set with %sport_range_min or %sport_range_max' % (where, where, where))
        if number in ICMP_PROTOCOLS:
            raise RuleError('%sport: protocol %s has no ports; set the ICMP type in %sport_range_min and the'
                            ' code in %sport_range_max' % (where, protocol, where, where))
        port_min = port_max = port
    port_min = None if port_min == -1 else port_min
    port_max = None if port_max == -1 else port_max
    if port_min is None and port_max is None:
        return None, None
    if number in PORT_PROTOCOLS:
        if port_min is None:
            raise RuleError('%sport_range_max needs %sport_range_min (alone, it is a single port)' % (where, where))
        port_max = port_min if port_max is None else port_max
        for name, value in (('port_range_min', port_min), ('port_range_max', port_max)):
            if not 1 <= value <= 65535:
                raise RuleError('%s%s: %s is no port (1-65535, or -1 for all)' % (where, name, value))
        if port_min > port_max:
            raise RuleError('%sport_range_min %s is above %sport_range_max %s' % (where, port_min, where, port_max))
        if (port_min, port_max) == (1, 65535):
            return None, None
        return port_min, port_max
    if number in ICMP_PROTOCOLS:
        for name, field, value in (('port_range_min', 'type', port_min), ('port_range_max', 'code', port_max)):
            if value is not None and not 0 <= value <= 255:
                raise RuleError('%s%s: ICMP %s %s is not 0-255 (or -1 for any)' % (where, name, field, value))
        if port_min is None:
            raise RuleError('%sport_range_max (the ICMP code) needs %sport_range_min (the ICMP type)' % (where, where))
        return port_min, port_max
    raise RuleError('%sport_range_min/%sport_range_max (or %sport): %s has no ports; they go with tcp, udp, sctp,'
                    ' dccp and udplite (ports), or icmp and ipv6-icmp (type and code)'
                    % (where, where, where, 'a rule for every protocol' if protocol is None else 'protocol ' + protocol))


def normalize_rule(entry, where=''):
    """The rule the task asks for, in the form Neutron stores it.

    ``entry`` has the module's rule options; ``where`` starts the names of the
    options in messages (``rules[2].``). The ether type follows from the prefix
    (else an IPv6-only protocol, else IPv4); a mismatch is refused. The remote
    group stays a name or id under ``remote_group``, for the caller to look up.
    Raises :class:`RuleError`.
    """
    direction = entry.get('direction') or 'ingress'
    if direction not in DIRECTIONS:
        raise RuleError('%sdirection: %r is none of %s' % (where, direction, ', '.join(DIRECTIONS)))
    if entry.get('remote_group') and entry.get('remote_ip_prefix'):
        raise RuleError('%sremote_group and %sremote_ip_prefix cannot both be set' % (where, where))
    prefix, version = canonical_prefix(entry.get('remote_ip_prefix'), where + 'remote_ip_prefix')
    ether_type = entry.get('ether_type')
    if ether_type is not None:
        ether_type = next((known for known in ETHER_TYPES if known.lower() == str(ether_type).lower()), None)
        if ether_type is None:
            raise RuleError('%sether_type: %r is none of %s' % (where, entry['ether_type'], ', '.join(ETHER_TYPES)))
        if version and ether_type != 'IPv%d' % version:
            raise RuleError('%sether_type %s does not match %sremote_ip_prefix %s, an IPv%d prefix'
                            % (where, ether_type, where, prefix, version))
    elif version:
        ether_type = 'IPv%d' % version
    else:
        ether_type = 'IPv6' if is_ipv6_protocol(entry.get('protocol')) else 'IPv4'
    protocol = canonical_protocol(entry.get('protocol'), ether_type, where + 'protocol')
    port_min, port_max = canonical_ports(protocol, entry.get('port'), entry.get('port_range_min'),
                                         entry.get('port_range_max'), where)
    return {
        'direction': direction, 'ether_type': ether_type, 'protocol': protocol,
        'port_range_min': port_min, 'port_range_max': port_max, 'remote_ip_prefix': prefix,
        'remote_group': entry.get('remote_group') or None, 'description': entry.get('description'),
    }


def current_rule(rule):
    """A rule of a group (as Neutron or openstacksdk names its fields) in the
    normalised form: :data:`RULE_FIELDS`, protocol and prefix canonical."""
    ether_type = rule.get('ether_type') or rule.get('ethertype')
    try:
        protocol = canonical_protocol(rule.get('protocol'), ether_type)
    except RuleError:
        protocol = rule.get('protocol')
    normal = {field: rule.get(field) for field in RULE_FIELDS}
    normal.update(ether_type=ether_type, protocol=protocol, remote_ip_prefix=stored_prefix(rule.get('remote_ip_prefix')))
    return normal


def rule_key(rule):
    """What makes two rules of a group the same rule for Neutron (its duplicate
    check): all but the description, with no prefix, 0.0.0.0/0 and ::/0 alike."""
    prefix = rule.get('remote_ip_prefix')
    return (rule.get('direction'), rule.get('ether_type'), rule.get('protocol'), rule.get('port_range_min'),
            rule.get('port_range_max'), rule.get('remote_group_id'), rule.get('remote_address_group_id'),
            None if prefix in ANY_PREFIXES else prefix)


def _sort_value(value):
    return (value is not None, '' if value is None else '%08d' % value if isinstance(value, int) else str(value))


def sort_rules(rules):
    """Rules in a stable order: direction, ether type, protocol, ports, remote."""
    return sorted(rules, key=lambda rule: [_sort_value(value) for value in rule_key(rule) + (rule.get('id'),)])


def describe_rule(rule):
    """``ingress IPv4 tcp port 22 from 192.0.2.0/24``: a normalised rule in words."""
    words = [rule['direction'], rule['ether_type'], rule.get('protocol') or 'any protocol']
    low, high = rule.get('port_range_min'), rule.get('port_range_max')
    if protocol_number(rule.get('protocol')) in ICMP_PROTOCOLS:
        words += ['type %s' % low] if low is not None else []
        words += ['code %s' % high] if high is not None else []
    elif low is not None:
        words.append('port %s' % low if low == high else 'ports %s-%s' % (low, high))
    remote = rule.get('remote_ip_prefix') or (rule.get('remote_group_id') and 'group ' + rule['remote_group_id'])
    words += ['from' if rule['direction'] == 'ingress' else 'to', remote or 'anywhere']
    return ' '.join(words)


# ---------------------------------------------------------------------------
# Pure helpers: a group's rules


def duplicate_rules(wanted):
    """Pairs of indexes of wanted rules that Neutron takes for the same rule."""
    seen, pairs = {}, []
    for index, rule in enumerate(wanted):
        key = rule_key(rule)
        if key in seen:
            pairs.append((seen[key], index))
        else:
            seen[key] = index
    return pairs


def bind_self(wanted, group_id):
    """The wanted rules with :data:`SELF` replaced by the group's id."""
    return [dict(rule, remote_group_id=group_id) if rule.get('remote_group_id') == SELF else rule
            for rule in wanted]


def plan_rules(wanted, current, purge, replace=False):
    """``(to_create, to_delete, conflicts)``: how to give a group the wanted rules.

    A wanted rule that the group has (:func:`rule_key`) is kept. A wanted
    description that the kept rule does not have is a conflict
    ``(index, wanted, current)``, since Neutron cannot change a rule; with
    ``replace``, such rules are deleted and created again instead. Current
    rules that no wanted rule claims are deleted only with ``purge``.
    """
    remaining = list(current)
    to_create, to_delete, conflicts = [], [], []
    for index, rule in enumerate(wanted):
        match = next((have for have in remaining if rule_key(have) == rule_key(rule)), None)
        if match is None:
            to_create.append(rule)
            continue
        remaining.remove(match)
        if rule.get('description') is not None and rule['description'] != (match.get('description') or ''):
            if replace:
                to_delete.append(match)
                to_create.append(rule)
            else:
                conflicts.append((index, rule, match))
    if purge:
        to_delete.extend(remaining)
    return to_create, to_delete, conflicts


def predict_rules(current, to_create, to_delete):
    """The group's rules after the plan (for check mode), sorted; new rules have no id yet."""
    after = [rule for rule in current if rule not in to_delete]
    after.extend(dict({field: rule.get(field) for field in RULE_FIELDS}, id=None, description=rule.get('description') or '')
                 for rule in to_create)
    return sort_rules(after)


def rule_body(rule, group_id):
    """The attributes to create a normalised rule with (unset ones left out)."""
    body = {field: rule.get(field) for field in RULE_FIELDS if field not in ('id', 'remote_address_group_id')}
    body['security_group_id'] = group_id
    return {key: value for key, value in body.items() if value is not None}


def conflict_message(what, rule, have_description):
    return ('%s: the rule %s exists with description %r, and the task asks for %r; Neutron cannot change a'
            " rule's description: delete the rule (state=absent) to create it again"
            % (what, describe_rule(rule), have_description, rule['description']))


# ---------------------------------------------------------------------------
# The resources


class _RemoteGroups:
    """Looks up the remote group of a rule, naming the option when it fails."""

    def remote_group_id(self, rule, project_id, where, own=()):
        """The id of the rule's remote group; ``own`` are the names and id
        that mean the group of the rule (returned as :data:`SELF`)."""
        name = rule.get('remote_group')
        if name is None:
            return None
        if name in own:
            return SELF
        try:
            return self.lookup('security_group', name, project_id=project_id)
        except (ReferenceNotFound, AmbiguousReference) as exc:
            raise type(exc)('%sremote_group: %s' % (where, exc)) from None


class SecurityGroupResource(_RemoteGroups, ResourceModule):
    """A security group and, when the task lists them, its rules.

    The plain group of :meth:`present` has its rules normalised
    (:func:`current_rule`) and sorted; :meth:`updates` plans the rules to
    create and delete in ``Updates.plan``.
    """

    resource_name = 'security_group'
    service = 'network'
    attributes = ('name', 'description', 'stateful')
    identity = ('name', 'project_id')
    create_only = ('project_id',)

    def desired(self):
        params = self.params
        listed = params.get('rules') if self.state == 'present' else None
        try:
            # All the rules are checked before any call.
            rules = None if listed is None else [
                normalize_rule(entry, 'rules[%d].' % index) for index, entry in enumerate(listed)]
        except RuleError as exc:
            self.fail_json(msg=str(exc))
        want = super().desired()
        self._wanted = None
        if self.state == 'absent':
            return want
        if rules is not None:
            self._wanted = []
            for index, rule in enumerate(rules):
                where = 'rules[%d].' % index
                rule['remote_group_id'] = self.remote_group_id(rule, want.get('project_id'), where, (params['name'],))
                self._wanted.append(rule)
            pairs = duplicate_rules(self._wanted)
            if pairs:
                self.fail_json(msg='; '.join('rules[%d] and rules[%d] are the same rule for Neutron (%s)' % (
                    first, second, describe_rule(self._wanted[second])) for first, second in pairs))
        # What a create is expected to make (check mode): Neutron's rules,
        # then the plan applied to them. A rule whose remote is the group
        # keeps SELF there: the group has no id yet.
        defaults = [dict(rule) for rule in DEFAULT_RULES]
        to_create, to_delete, _conflicts = plan_rules(self._wanted or [], defaults,
                                                      self._wanted is not None and params.get('purge_rules'),
                                                      replace=True)
        want['security_group_rules'] = predict_rules(defaults, to_create, to_delete)
        return want

    def resolve(self):
        if self.params.get('project') is None:
            return {}
        return {'project_id': self.lookup('project', self.params['project'], service='identity')}

    def present(self, resource):
        plain = to_plain(resource)
        plain['security_group_rules'] = sort_rules(current_rule(rule) for rule in plain.get('security_group_rules') or [])
        return plain

    def updates(self, desired, current):
        desired = {key: value for key, value in desired.items() if key != 'security_group_rules'}
        updates = super().updates(desired, current)
        if self._wanted is None:
            return updates
        rules = current['security_group_rules']
        to_create, to_delete, conflicts = plan_rules(bind_self(self._wanted, current['id']), rules,
                                                     self.params.get('purge_rules'))
        if conflicts:
            self.fail_json(msg='; '.join(conflict_message('rules[%d]' % index, rule, have.get('description'))
                                         for index, rule, have in conflicts))
        if to_create or to_delete:
            updates.plan['rules'] = (to_create, to_delete)
            updates['security_group_rules'] = predict_rules(rules, to_create, to_delete)
        return updates

    def _change_rules(self, group_id, to_create, to_delete):
        """New rules first: traffic that the old and the new rules both allow is not cut in between."""
        if to_create:
            self.action = 'creating %d rules in security group %s' % (len(to_create), group_id)
            # One request: Neutron creates them all or none.
            list(self.proxy.create_security_group_rules([rule_body(rule, group_id) for rule in to_create]))
        for rule in to_delete:
            self.action = 'deleting rule %s (%s) of security group %s' % (rule['id'], describe_rule(rule), group_id)
            self.proxy.delete_security_group_rule(rule['id'], ignore_missing=True)

    def create(self, desired):
        attrs = {key: value for key, value in desired.items() if key != 'security_group_rules'}
        group = self.proxy.create_security_group(**attrs)
        if self._wanted is not None:
            # A new group's rules are Neutron's defaults and no port uses it
            # yet: one the task lists with another description is replaced,
            # deleted first since Neutron refuses its twin.
            to_create, to_delete, _conflicts = plan_rules(bind_self(self._wanted, group.id),
                                                          self.present(group)['security_group_rules'],
                                                          self.params.get('purge_rules'), replace=True)
            self._change_rules(group.id, [], to_delete)
            self._change_rules(group.id, to_create, [])
        return self.present(self.proxy.get_security_group(group.id))

    def update(self, current, updates):
        attrs = {key: value for key, value in updates.items() if key != 'security_group_rules'}
        if attrs:
            self.proxy.update_security_group(current['id'], **attrs)
        to_create, to_delete = updates.plan.get('rules', ([], []))
        self._change_rules(current['id'], to_create, to_delete)
        return self.present(self.proxy.get_security_group(current['id']))

    def delete(self, current):
        self.proxy.delete_security_group(current['id'], ignore_missing=True)


class SecurityGroupRuleResource(_RemoteGroups, ResourceModule):
    """One rule of a group, found by what Neutron compares (:func:`rule_key`).

    Rules cannot be updated: an equal rule is the rule, and a description
    the task sets that it does not have fails the task.
    """

    resource_name = 'security_group_rule'
    service = 'network'
    identity = ()

    def desired(self):
        params = self.params
        try:
            rule = normalize_rule(params)
        except RuleError as exc:
            self.fail_json(msg=str(exc))
        project_id = None
        if params.get('project'):
            project_id = self.lookup('project', params['project'], service='identity')
        group_id = self.lookup('security_group', params['security_group'], project_id=project_id)
        remote = None
        if rule['remote_group'] is not None:
            if rule['remote_group'] not in (params['security_group'], group_id):
                # A remote group by name is one of the group's project.
                self.action = 'reading security group %s' % group_id
                project_id = self.proxy.get_security_group(group_id).project_id
            remote = self.remote_group_id(rule, project_id, '', (params['security_group'], group_id))
        rule = {field: rule.get(field) for field in RULE_FIELDS if field != 'id'}
        rule.update(security_group_id=group_id, remote_group_id=group_id if remote == SELF else remote)
        return rule

    def describe(self, desired):
        return 'security group rule (%s) of security group %r' % (describe_rule(desired), self.params['security_group'])

    def find(self, desired):
        key = rule_key(desired)
        rules = self.proxy.security_group_rules(security_group_id=desired['security_group_id'])
        return next((rule for rule in map(to_plain, rules) if rule_key(current_rule(rule)) == key), None)

    def updates(self, desired, current):
        if desired.get('description') is not None and desired['description'] != (current.get('description') or ''):
            self.fail_json(msg=conflict_message(self.describe(desired), desired, current.get('description')))
        return Updates()

    def create(self, desired):
        return self.proxy.create_security_group_rule(**rule_body(desired, desired['security_group_id']))

    def delete(self, current):
        self.proxy.delete_security_group_rule(current['id'], ignore_missing=True)
