package io.switchyard.backend;

/**
 * What makes two backend connections interchangeable for a client: the login and the
 * wire-affecting capabilities and character set negotiated at connect time. Immutable.
 *
 * @param credentials the backend login
 * @param capabilities the capability flags the connection negotiates (already masked)
 * @param collation the collation id sent in the handshake response
 */
public record ConnectionKey(BackendCredentials credentials, long capabilities, int collation) {}
