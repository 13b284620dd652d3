package org.codeengine.plugin.tools.http;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.codeengine.api.ConfigurationException;

/**
 * Which addresses a fetch may connect to: any public address, and the loopback, private, link-local, unique-local,
 * metadata and other special addresses only where an allow-list entry (an address or a CIDR block) covers them. An IPv6
 * address that carries an IPv4 one (mapped, compatible, NAT64, 6to4) is judged by the IPv4 address too.
 */
final class AddressPolicy {
    /** One allow-list entry: an address block. */
    record Block(byte[] network, int prefix) {
        boolean covers(InetAddress address) {
            byte[] bytes = address.getAddress();
            if (bytes.length != network.length) {
                return false;
            }
            int bits = prefix;
            for (int i = 0; i < bytes.length && bits > 0; i++, bits -= 8) {
                int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
                if ((bytes[i] & mask) != (network[i] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }

    private final List<Block> allowed;

    private AddressPolicy(List<Block> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    /**
     * @param entries addresses ({@code 127.0.0.1}, {@code ::1}) or CIDR blocks ({@code 10.0.0.0/8})
     * @param setting the setting's name, for messages
     * @throws ConfigurationException naming the setting and the entry if an entry is neither
     */
    static AddressPolicy allowing(List<String> entries, String setting) {
        List<Block> blocks = new java.util.ArrayList<>();
        for (String entry : entries) {
            String text = entry.strip();
            int slash = text.indexOf('/');
            String host = slash < 0 ? text : text.substring(0, slash);
            try {
                InetAddress address = InetAddress.ofLiteral(host.startsWith("[") && host.endsWith("]")
                        ? host
                                .substring(1, host.length() - 1)
                        : host);
                int max = address.getAddress().length * 8;
                int prefix = slash < 0 ? max : Integer.parseInt(text.substring(slash + 1));
                if (prefix < 0 || prefix > max) {
                    throw new IllegalArgumentException("prefix out of range");
                }
                blocks.add(new Block(address.getAddress(), prefix));
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException("setting " + setting + " must list IP addresses or CIDR blocks"
                        + " (127.0.0.1, 10.0.0.0/8, ::1/128) but held '" + entry + "'", null);
            }
        }
        return new AddressPolicy(blocks);
    }

    /**
     * {@return why it may not, or empty when it may}
     *
     * @param address an address a fetch would connect to
     */
    Optional<String> refusal(InetAddress address) {
        for (Block block : allowed) {
            if (block.covers(address)) {
                return Optional.empty();
            }
        }
        return Optional.ofNullable(special(address)).map(kind -> address.getHostAddress() + " is a " + kind
                + " address, which http_fetch refuses unless the setting tools.http.allow lists it");
    }

    private static String special(InetAddress address) {
        if (address instanceof Inet4Address v4) {
            return special4(v4.getAddress());
        }
        byte[] b = address.getAddress();
        if (address.isAnyLocalAddress()) {
            return "wildcard (unspecified)";
        }
        if (address.isLoopbackAddress()) {
            return "loopback";
        }
        if ((b[0] & 0xff) == 0xfd && (b[1] & 0xff) == 0x00 && (b[2] & 0xff) == 0x0e && (b[3] & 0xff) == 0xc2) {
            return "cloud metadata";
        }
        if ((b[0] & 0xfe) == 0xfc) {
            return "unique-local";
        }
        if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0x80) {
            return "link-local";
        }
        if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0xc0) {
            return "site-local";
        }
        if ((b[0] & 0xff) == 0xff) {
            return "multicast";
        }
        byte[] embedded = embeddedV4((Inet6Address) address);
        if (embedded != null) {
            String kind = special4(embedded);
            return kind == null ? null : kind + " (embedded in IPv6)";
        }
        if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) {
            return "documentation";
        }
        return null;
    }

    /** The IPv4 address inside an IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address. */
    private static byte[] embeddedV4(Inet6Address address) {
        byte[] b = address.getAddress();
        boolean zeros = true;
        for (int i = 0; i < 12; i++) {
            zeros &= b[i] == 0;
        }
        boolean nat64 = (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff
                && (b[3] & 0xff) == 0x9b;
        for (int i = 4; nat64 && i < 12; i++) {
            nat64 = b[i] == 0;
        }
        if (zeros || nat64) {
            return new byte[]{b[12], b[13], b[14], b[15]};
        }
        if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
            return new byte[]{b[2], b[3], b[4], b[5]};
        }
        if ((b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            if (mapped) {
                return new byte[]{b[12], b[13], b[14], b[15]};
            }
        }
        return null;
    }

    private static String special4(byte[] b) {
        int a = b[0] & 0xff;
        int c = b[1] & 0xff;
        if (a == 0) {
            return "wildcard (this-network)";
        }
        if (a == 127) {
            return "loopback";
        }
        if (a == 169 && c == 254) {
            return (b[2] & 0xff) == 169 && (b[3] & 0xff) == 254 || (b[2] & 0xff) == 170 && (b[3] & 0xff) == 2
                    ? "cloud metadata"
                    : "link-local";
        }
        if (a == 100 && (c == 100 && (b[2] & 0xff) == 100 && (b[3] & 0xff) == 200)) {
            return "cloud metadata";
        }
        if (a == 10 || a == 172 && (c & 0xf0) == 16 || a == 192 && c == 168) {
            return "private";
        }
        if (a == 100 && (c & 0xc0) == 64) {
            return "shared (carrier-grade NAT)";
        }
        if (a == 192 && c == 0 && (b[2] & 0xff) == 0) {
            return "IETF protocol assignment";
        }
        if (a == 198 && (c & 0xfe) == 18) {
            return "benchmarking";
        }
        if (a >= 224) {
            return a < 240 ? "multicast" : "reserved";
        }
        return null;
    }
}
