#include "protocol/event.hpp"

namespace hat {

bool natural_before(const event& a, const event& b) {
  if (a.id == b.id)
    return false;
  if (a.id.server == b.id.server)
    return a.id < b.id;
  if (a.timestamp != b.timestamp)
    return a.timestamp < b.timestamp;
  return true;
}

}  // namespace hat
