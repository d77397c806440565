#include <sys/socket.h>
#include <microhttpd.h>

/* MHD_start_daemon is variadic and does not import; every option goes through MHD_OPTION_ARRAY. */
static inline struct MHD_Daemon *
callcoach_mhd_start(unsigned int flags, MHD_AccessHandlerCallback handler, void *handler_cls,
                    const struct MHD_OptionItem *options)
{
    return MHD_start_daemon(flags, 0, NULL, NULL, handler, handler_cls, MHD_OPTION_ARRAY, options,
                            MHD_OPTION_END);
}

/* MHD_get_daemon_info is variadic too. */
static inline int callcoach_mhd_listen_fd(struct MHD_Daemon *daemon)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_LISTEN_FD);
    return info == NULL ? -1 : info->listen_fd;
}

static inline unsigned int callcoach_mhd_connection_count(struct MHD_Daemon *daemon)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    return info == NULL ? 0 : info->num_connections;
}

/* MHD_get_connection_info is variadic: the peer's address, or NULL. */
static inline const struct sockaddr *callcoach_mhd_client_address(struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return info == NULL ? NULL : info->client_addr;
}
