/// What carries a Python process's message channel.
enum ChannelTransport: Sendable {
    /// Two pipes, descriptor 3 to the child and 4 from it: the fastest to wake the other side.
    case pipes
    /// One stream socket as descriptor 3, for a program that is sent descriptors (SCM_RIGHTS) on its channel.
    case socket
}
