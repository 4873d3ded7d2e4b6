package dev.tenancy.catalog;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Objects;
import javax.naming.CommunicationException;
import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;

/**
 * Reads a name's DNS TXT records, for {@link CustomDomains} to check a domain's challenge. By
 * default the JDK's DNS provider and the system's resolvers ({@link #jdk()}); a lookup of your own
 * (DNS over HTTPS, a provider's API) plugs in as a lambda.
 */
@FunctionalInterface
public interface TxtLookup {

    /**
     * The TXT records of {@code name}, each as one string (a record's strings joined); empty when the
     * name does not exist or has none.
     *
     * @throws DnsUnavailableException when DNS could not answer (timeout, server failure): the
     *     records are unknown, not absent
     */
    List<String> txt(String name) throws DnsUnavailableException;

    /** DNS could not be asked; the records are unknown. */
    final class DnsUnavailableException extends Exception {
        private static final long serialVersionUID = 1L;

        public DnsUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The JDK's DNS provider over the system's resolvers. */
    static TxtLookup jdk() {
        return jdk("");
    }

    /**
     * The JDK's DNS provider asking the server at {@code hostAndPort} (for example {@code
     * "10.0.0.2"} or {@code "127.0.0.1:5353"}); the system's resolvers when empty.
     */
    static TxtLookup jdk(String hostAndPort) {
        Objects.requireNonNull(hostAndPort, "hostAndPort");
        String url = "dns://" + hostAndPort;
        return name -> {
            Hashtable<String, String> env = new Hashtable<>();
            env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
            env.put(Context.PROVIDER_URL, url);
            env.put("com.sun.jndi.dns.timeout.initial", "1000");
            env.put("com.sun.jndi.dns.timeout.retries", "2");
            DirContext context = null;
            try {
                context = new InitialDirContext(env);
                Attributes attributes = context.getAttributes(name, new String[] {"TXT"});
                Attribute txt = attributes.get("TXT");
                List<String> records = new ArrayList<>();
                if (txt != null) {
                    NamingEnumeration<?> values = txt.getAll();
                    while (values.hasMore()) {
                        records.add(joined(String.valueOf(values.next())));
                    }
                }
                return records;
            } catch (NameNotFoundException e) {
                return List.of();
            } catch (CommunicationException e) {
                throw new DnsUnavailableException("DNS at " + url + " did not answer for " + name, e);
            } catch (NamingException e) {
                throw new DnsUnavailableException("DNS at " + url + " failed for " + name + ": " + e, e);
            } finally {
                if (context != null) {
                    try {
                        context.close();
                    } catch (NamingException ignored) {
                        // nothing held
                    }
                }
            }
        };
    }

    /** A record as the JDK renders it ({@code "a" "b"} or {@code a}): its strings joined. */
    private static String joined(String rendered) {
        String s = rendered.trim();
        if (!s.startsWith("\"")) {
            return s;
        }
        StringBuilder out = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\\' && quoted && i + 1 < s.length()) {
                out.append(s.charAt(++i));
            } else if (quoted) {
                out.append(c);
            }
        }
        return out.toString();
    }
}
