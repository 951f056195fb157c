// hat-event-adminer run as a user runs it, against the real
// hat-event-server executable: what it prints and its exit codes, the
// server's log output following a set, and its command line rules.

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "actors/listen_socket.hpp"
#include "client/tcp_socket.hpp"
#include "protocol/chatter_frame.hpp"
#include "tests/child_process.hpp"
#include "tests/server/server_process.hpp"
#include "tests/file_log_config.hpp"
#include "tests/temp_dir.hpp"
#include "tools/hat_event_adminer/arguments.hpp"

using namespace hat;
using namespace std::chrono_literals;

namespace {

/// A configuration with an adminer on `adminer_port` (0: any) and the
/// logging configuration `log` (a YAML flow value).
std::string config_with_adminer(uint16_t adminer_port, std::string_view log) {
  return "type: event\n"
         "name: event-adminer\n"
         "server_id: 1\n"
         "backend: {module: memory}\n"
         "modules: []\n"
         "eventer_server: {host: 127.0.0.1, port: 0}\n"
         "adminer_server: {host: 127.0.0.1, port: "
         + std::to_string(adminer_port) + "}\n"
         "log: " + std::string{log} + "\n";
}

struct adminer_run {
  test::temp_dir dir;

  test::process_output run(std::vector<std::string> args) {
    return test::run_process(HAT_ADMINER_EXECUTABLE, dir.path,
                             std::move(args));
  }

  std::string file(const std::string& name, const std::string& text) {
    auto path = dir.path / name;
    std::ofstream{path} << text;
    return path.string();
  }
};

/// Sends bytes that are no chatter message on a new adminer connection:
/// the server logs an ERROR for it, a mark in its output.
void send_junk(uint16_t port) {
  int fd = client::tcp::connect("127.0.0.1", port, chatter::clock::now() + 5s);
  const char junk[] = "\x01\x05" "abcde";
  client::tcp::write_all(fd, {junk, 7});
  ::close(fd);
}

}  // namespace

namespace {

/// Whether `file` holds `text` within `bound` (the server writes it from
/// another process).
bool file_has(const std::filesystem::path& file, std::string_view text,
              std::chrono::milliseconds bound = 10s) {
  auto deadline = std::chrono::steady_clock::now() + bound;
  for (;;) {
    std::ifstream in{file};
    std::ostringstream content;
    content << in.rdbuf();
    if (content.str().find(text) != std::string::npos)
      return true;
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(10ms);  // polling a file: no event to wait on
  }
}

}  // namespace

TEST_CASE("hat-event-adminer: get and set against the server, whose log "
          "output follows") {
  adminer_run tool;
  // The file's own: a console handler in a format of its own, on stderr,
  // which the server's lines are read from.
  auto conf = tool.file(
    "event.yaml",
    config_with_adminer(
      0, "{version: 1, formatters: {c: {format: '%(levelname)s "
         "[%(name)s] %(message)s'}}, handlers: {c: {class: "
         "logging.StreamHandler, formatter: c}}, root: {level: INFO, "
         "handlers: [c]}, disable_existing_loggers: false}"));
  test::server_process server{{"--conf", conf}};
  REQUIRE(server.wait_listening("hat.event.eventer.server") != 0);
  auto port =
    std::to_string(server.wait_listening("hat.event.adminer.server"));
  REQUIRE(port != "0");
  CHECK(server.logged("INFO [hat.event.server.main_runner] operational"));

  auto got = tool.run({"--port", port, "get-log-conf"});
  CHECK(got.exit_code == 0);
  CHECK(got.out
        == R"({"version": 1, "formatters": {"c": {"format": "%(levelname)s )"
           R"([%(name)s] %(message)s"}}, "handlers": {"c": {"class": )"
           R"("logging.StreamHandler", "formatter": "c"}}, "root": )"
           R"({"level": "INFO", "handlers": ["c"]}, )"
           R"("disable_existing_loggers": false})" "\n");
  CHECK(got.err.empty());

  // YAML, as a configuration file is written; sent as JSON text.
  auto out = tool.dir.path / "out.log";
  auto warning =
    tool.file("warning.yaml", test::file_log_config(out, "WARNING"));
  auto set = tool.run({"--port", port, "set-log-conf", warning});
  CHECK(set.exit_code == 0);
  CHECK(set.out.empty());
  CHECK(set.err.empty());
  CHECK(tool.run({"--port", port, "get-log-conf"})
          .out.find(R"("hat.event.adminer": {"level": "WARNING"})")
        != std::string::npos);

  // Refused: the server's text, exit code 1. At WARNING the server does
  // not log the refusal (INFO); the junk's ERROR line, written later,
  // shows the output got that far.
  auto bad = tool.file("bad.json", R"({"version": 2})");
  auto refused = tool.run({"--port", port, "set-log-conf", bad});
  CHECK(refused.exit_code == 1);
  CHECK(refused.err == "hat-event-adminer: Unsupported version: 2\n");
  send_junk(static_cast<uint16_t>(std::stoi(port)));
  CHECK(file_has(out, "ERROR hat.event.adminer.server: connection 5 closed: "
                      "malformed"));
  CHECK_FALSE(file_has(out, "refused: Unsupported version: 2", 0ms));

  // At INFO, the same refusal is logged.
  auto info = tool.file("info.json", test::file_log_config(out, "INFO"));
  CHECK(tool.run({"--port", port, "set-log-conf", info}).exit_code == 0);
  auto again = tool.file("again.json", R"({"version": 3})");
  CHECK(tool.run({"--port", port, "set-log-conf", again}).exit_code == 1);
  CHECK(file_has(out, "INFO hat.event.adminer.server: logging configuration "
                      "refused: Unsupported version: 3\n"));

  server.signal(SIGTERM);
  CHECK(server.wait_exit(10s) == 0);
}

TEST_CASE("hat-event-server: its log section sends to syslog over UDP and "
          "to a file, and names what it leaves out") {
  adminer_run tool;
  // The syslog server: a UDP socket of the test's on 127.0.0.1.
  int listener = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr)
          == 0);
  socklen_t length = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &length);
  auto out = tool.dir.path / "out.log";
  auto conf = tool.file(
    "event.yaml",
    config_with_adminer(
      0, "{version: 1, formatters: {f: {format: '%(levelname)s "
         "%(name)s: %(message)s'}}, handlers: {syslog: {class: "
         "hat.syslog.handler.SyslogHandler, host: 127.0.0.1, port: "
         + std::to_string(ntohs(addr.sin_port))
         + ", comm_type: UDP}, file: {class: "
           "logging.handlers.RotatingFileHandler, filename: '"
         + out.string()
         + "', maxBytes: 100000, backupCount: 1, formatter: f}, timed: "
           "{class: logging.handlers.TimedRotatingFileHandler, filename: "
           "x.log}}, loggers: {hat.event.eventer: {handlers: [syslog]}}, "
           "root: {level: INFO, handlers: [file, timed]}, "
           "disable_existing_loggers: false}"));
  test::server_process server{{"--conf", conf}};
  CHECK(file_has(out, "INFO hat.event.eventer.server: listening on "
                      "127.0.0.1:"));
  CHECK(file_has(out, "WARNING hat.event.server.main: log: not supported, "
                      "left out: handlers.timed.class "
                      "logging.handlers.TimedRotatingFileHandler\n"));
  // The same line reached the syslog listener as hat-syslog sends it.
  pollfd wait{listener, POLLIN, 0};
  REQUIRE(::poll(&wait, 1, 10000) == 1);
  char datagram[65536];
  auto got = ::recv(listener, datagram, sizeof datagram, 0);
  REQUIRE(got > 0);
  std::string message(datagram, static_cast<size_t>(got));
  CHECK(message.starts_with("<14>1 "));
  CHECK(message.find(" " HAT_SERVER_EXECUTABLE " "
                     + std::to_string(server.pid())
                     + " hat.event.eventer.server [hat@1 "
                       "name=\"hat.event.eventer.server\" thread=\"")
        != std::string::npos);
  CHECK(message.find("] BOMlistening on 127.0.0.1:") != std::string::npos);
  ::close(listener);
  server.signal(SIGTERM);
  CHECK(server.wait_exit(10s) == 0);
}

TEST_CASE("hat-event-adminer: no server, exit code 1") {
  // A port just freed: nothing listens there.
  auto socket = open_listen_socket("127.0.0.1", 0);
  REQUIRE(socket);
  ::close(socket->fd);
  adminer_run tool;
  auto result = tool.run({"--port", std::to_string(socket->port),
                          "--timeout", "2", "get-log-conf"});
  CHECK(result.exit_code == 1);
  CHECK(result.err.starts_with("hat-event-adminer: cannot connect to "
                               "127.0.0.1:"));
}

TEST_CASE("hat-event-adminer: bad arguments and unusable files, exit code "
          "2") {
  adminer_run tool;
  struct bad_line {
    std::vector<std::string> args;
    std::string message;
  };
  auto not_json = tool.file("conf.json", "version: 1\n");
  auto bad_yaml = tool.file("conf.yaml", "a: [\n");
  const std::vector<bad_line> cases = {
    {{}, "a command is needed: get-log-conf or set-log-conf"},
    {{"status"}, "unknown command 'status'"},
    {{"set-log-conf"}, "set-log-conf takes one FILE ('-' for standard "
                       "input)"},
    {{"get-log-conf", "x"}, "get-log-conf takes no argument, got 'x'"},
    {{"--port", "0", "get-log-conf"},
     "--port: expected a port number in [1, 65535], got '0'"},
    {{"--bogus", "get-log-conf"}, "unknown option '--bogus'"},
    {{"set-log-conf", (tool.dir.path / "missing.json").string()},
     "cannot read '" + (tool.dir.path / "missing.json").string()
       + "': No such file or directory"},
    {{"set-log-conf", not_json},
     "'" + not_json + "': Expecting value: line 1 column 1 (char 0)"},
    {{"set-log-conf", bad_yaml}, "'" + bad_yaml + "': line "},
  };
  for (const auto& [args, message] : cases) {
    CAPTURE(args.size());
    auto result = tool.run(args);
    CHECK(result.exit_code == 2);
    CHECK(result.err.starts_with("hat-event-adminer: " + message));
    CHECK(result.out.empty());
  }
  auto help = tool.run({"--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("set-log-conf FILE") != std::string::npos);
}

TEST_CASE("hat-event-adminer arguments: defaults and options") {
  using namespace hat::adminer_tool;
  auto get = parse_arguments({"get-log-conf"});
  CHECK(get.host == "127.0.0.1");
  CHECK(get.port == 23015);
  CHECK(get.timeout == 10s);
  CHECK(std::holds_alternative<get_command>(get.command));
  auto set = parse_arguments({"--host=10.0.0.1", "set-log-conf", "--port",
                              "23115", "-", "--timeout", "0.5"});
  CHECK(set.host == "10.0.0.1");
  CHECK(set.port == 23115);
  CHECK(set.timeout == 500ms);
  REQUIRE(std::holds_alternative<set_command>(set.command));
  CHECK(std::get<set_command>(set.command).file == "-");
  // After "--" a name that looks like an option is a FILE.
  auto dashed = parse_arguments({"set-log-conf", "--", "--conf.json"});
  CHECK(std::get<set_command>(dashed.command).file == "--conf.json");
  CHECK_THROWS_AS(parse_arguments({"--timeout", "0", "get-log-conf"}),
                  usage_error);
}

TEST_CASE("hat-event-server: a taken adminer port ends it at start, exit "
          "code 1") {
  auto taken = open_listen_socket("127.0.0.1", 0);
  REQUIRE(taken);
  adminer_run tool;
  // No handler anywhere: the ERROR goes to stderr as the bare message,
  // Python's last resort.
  auto conf = tool.file(
    "event.yaml",
    config_with_adminer(taken->port,
                        "{version: 1, disable_existing_loggers: false}"));
  test::server_process server{{"--conf", conf}};
  auto code = server.wait_exit(10s);
  ::close(taken->fd);
  CHECK(code == 1);
  CHECK(server.logged("server failed: listen_failed: adminer_server: cannot "
                      "listen on 127.0.0.1:"
                        + std::to_string(taken->port)
                        + ": Address already in use"));
}
