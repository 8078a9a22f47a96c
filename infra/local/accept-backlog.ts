/**
 * How many connections the local servers (sandbox, DynamoDB, HTTP API) let wait to be accepted.
 * Many function environments open their connections at once (the fleet audit runs an environment
 * per account); with Node's default (511) the kernel drops SYNs, which clients retry only after
 * 1, 3, 7 and 15 s, so calls that AWS would answer in milliseconds take seconds. The kernel caps it
 * at net.core.somaxconn.
 */
export const ACCEPT_BACKLOG = 4096;
