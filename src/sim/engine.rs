//! The event scheduler: next-event time advance over a bevy `World`.
//!
//! Models nothing retail itself; it owns simulated time. Plugins schedule their own bevy
//! [`Event`]s on the [`Agenda`] for a future time; [`advance`] pops them in (time, insertion)
//! order, sets the [`Clock`] and triggers them, so the plugins' observers run one event at a
//! time and the cost of a run grows with what happens, not with wall-clock ticks. Ties are
//! broken by insertion order, which makes a run a pure function of scenario and seed.
//!
//! Units: seconds since 00:00 of the simulated day.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use bevy::ecs::event::Event;
use bevy::prelude::*;

/// Simulated time.
#[derive(Resource, Clone, Copy, Debug, PartialEq)]
pub struct Clock {
    /// Now, seconds since 00:00.
    pub now: f64,
    /// Doors open, seconds since 00:00.
    pub open: f64,
    /// Doors close (no arrivals after this), seconds since 00:00.
    pub close: f64,
    /// Start of the KPI window: opening plus the warm-up. Every statistic counts the
    /// customers who arrive from then on, and time averages run from then on.
    pub measure_from: f64,
    /// Nothing is simulated after this: closing time plus the longest allowed drain.
    pub hard_stop: f64,
}

/// A scheduled event, boxed so that each plugin owns its event types.
trait Fire: Send + Sync {
    fn fire(self: Box<Self>, world: &mut World);
    fn name(&self) -> &'static str;
}

impl<E> Fire for E
where
    E: for<'a> Event<Trigger<'a>: Default> + Send + Sync,
{
    fn fire(self: Box<Self>, world: &mut World) {
        world.trigger(*self);
    }
    fn name(&self) -> &'static str {
        std::any::type_name::<E>()
    }
}

struct Scheduled {
    time: f64,
    seq: u64,
    event: Box<dyn Fire>,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    // Reversed: BinaryHeap is a max-heap and the earliest event must come out first.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .time
            .total_cmp(&self.time)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

/// Names a scheduled event, for [`Agenda::cancel`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventId(u64);

/// An event scheduled at a time the engine cannot honour (not finite, or before the event
/// being processed): a bug in a plugin or a scenario validation missed. The run stops at the
/// first one instead of going on with a wrong history.
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    /// Simulated time when it was scheduled, seconds since 00:00.
    pub now: f64,
    /// The time it was scheduled for.
    pub time: f64,
    /// The event's type.
    pub event: &'static str,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let when = if self.now.is_finite() {
            crate::scenario::format_clock(self.now)
        } else {
            "set-up".to_string()
        };
        write!(
            f,
            "engine fault at {when}: {} scheduled at {} s{}",
            self.event,
            self.time,
            if self.time.is_finite() {
                " (in the past)"
            } else {
                ""
            }
        )
    }
}

impl std::error::Error for Fault {}

/// The future event list.
#[derive(Resource)]
pub struct Agenda {
    heap: BinaryHeap<Scheduled>,
    seq: u64,
    fired: u64,
    /// Time of the event being processed (or last processed); nothing may be scheduled before.
    now: f64,
    fault: Option<Fault>,
}

impl Default for Agenda {
    fn default() -> Self {
        Agenda {
            heap: BinaryHeap::new(),
            seq: 0,
            fired: 0,
            now: f64::NEG_INFINITY,
            fault: None,
        }
    }
}

impl Agenda {
    /// Schedules `event` to be triggered at simulated time `time` (seconds). A time that is not
    /// finite or lies before the current event is not scheduled: it records a [`Fault`] (the
    /// first one is kept) and [`advance`] stops.
    pub fn schedule<E>(&mut self, time: f64, event: E) -> EventId
    where
        E: for<'a> Event<Trigger<'a>: Default> + Send + Sync,
    {
        if !time.is_finite() || time < self.now {
            self.fault.get_or_insert(Fault {
                now: self.now,
                time,
                event: std::any::type_name::<E>(),
            });
            self.seq += 1;
            return EventId(self.seq);
        }
        self.seq += 1;
        self.heap.push(Scheduled {
            time,
            seq: self.seq,
            event: Box::new(event),
        });
        EventId(self.seq)
    }

    /// Removes a scheduled event that has not fired yet (O(n); for rare use).
    pub fn cancel(&mut self, id: EventId) {
        self.heap.retain(|s| s.seq != id.0);
    }

    /// Time of the next event, if any.
    pub fn next_time(&self) -> Option<f64> {
        self.heap.peek().map(|s| s.time)
    }

    /// Name of the next event's type (for debugging and the inspector).
    pub fn next_name(&self) -> Option<&'static str> {
        self.heap.peek().map(|s| s.event.name())
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Events triggered so far.
    pub fn fired(&self) -> u64 {
        self.fired
    }

    /// The first event that could not be scheduled, if any (the run stopped there).
    pub fn fault(&self) -> Option<&Fault> {
        self.fault.as_ref()
    }
}

/// Triggers every event due at or before `until` (and before the clock's hard stop), in order.
/// Leaves the clock at `until` if it is earlier than the next event, so a view can show the
/// state between events. Returns the number of events fired.
pub fn advance(world: &mut World, until: f64) -> u64 {
    let hard_stop = world.resource::<Clock>().hard_stop;
    let until = until.min(hard_stop);
    let mut fired = 0;
    loop {
        let next = {
            let mut agenda = world.resource_mut::<Agenda>();
            match agenda.heap.peek() {
                _ if agenda.fault.is_some() => None,
                Some(s) if s.time <= until => {
                    let time = s.time;
                    agenda.fired += 1;
                    agenda.now = time;
                    agenda.heap.pop()
                }
                _ => None,
            }
        };
        let Some(scheduled) = next else { break };
        world.resource_mut::<Clock>().now = scheduled.time;
        scheduled.event.fire(world);
        world.flush();
        fired += 1;
        // Ctrl-C: stop here; the caller sees `interrupt::requested()` and discards the run.
        if fired % 4096 == 0 && crate::interrupt::requested() {
            break;
        }
    }
    // With work left, time moves on to `until` (a view shows the state between events); with
    // none, the clock stays at the last event, which is when the store day ended. After a
    // fault the clock stays where it happened.
    let agenda = world.resource::<Agenda>();
    let pending = !agenda.is_empty() && agenda.fault.is_none();
    if pending && until > world.resource::<Clock>().now {
        world.resource_mut::<Clock>().now = until;
        // What is scheduled from now on (a command from the view) may not go back before it.
        world.resource_mut::<Agenda>().now = until;
    }
    fired
}

/// True when nothing is left to simulate (or a fault stopped the run).
pub fn finished(world: &World) -> bool {
    let clock = world.resource::<Clock>();
    let agenda = world.resource::<Agenda>();
    agenda.fault.is_some() || agenda.next_time().is_none_or(|t| t > clock.hard_stop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Event, Clone, Copy)]
    struct Tick(u32);

    #[derive(Resource, Default)]
    struct Log(Vec<(f64, u32)>);

    fn world() -> World {
        let mut w = World::new();
        w.insert_resource(Clock {
            now: 0.0,
            open: 0.0,
            close: 100.0,
            measure_from: 0.0,
            hard_stop: 200.0,
        });
        w.insert_resource(Agenda::default());
        w.insert_resource(Log::default());
        w.add_observer(
            |ev: On<Tick>, clock: Res<Clock>, mut log: ResMut<Log>, mut agenda: ResMut<Agenda>| {
                log.0.push((clock.now, ev.0));
                // Event 1 schedules a follow-up at the same instant: it runs after those already due.
                if ev.0 == 1 {
                    agenda.schedule(clock.now, Tick(10));
                }
            },
        );
        w
    }

    #[test]
    fn events_fire_in_time_order_and_ties_in_insertion_order() {
        let mut w = world();
        {
            let mut a = w.resource_mut::<Agenda>();
            a.schedule(5.0, Tick(3));
            a.schedule(1.0, Tick(1));
            a.schedule(1.0, Tick(2));
            let cancelled = a.schedule(2.0, Tick(99));
            a.schedule(300.0, Tick(4));
            a.cancel(cancelled);
        }
        assert_eq!(advance(&mut w, 3.0), 3);
        assert_eq!(
            w.resource::<Clock>().now,
            3.0,
            "the clock moves on to `until`"
        );
        assert_eq!(advance(&mut w, f64::INFINITY), 1);
        let log = &w.resource::<Log>().0;
        assert_eq!(log, &vec![(1.0, 1), (1.0, 2), (1.0, 10), (5.0, 3)]);
        assert!(finished(&w), "the event after the hard stop never fires");
        assert_eq!(w.resource::<Clock>().now, 200.0);
        assert!(w.resource::<Agenda>().fault().is_none());
    }

    #[derive(Event, Clone, Copy)]
    struct Rewind;

    #[test]
    fn an_event_in_the_past_stops_the_run_with_a_fault() {
        let mut w = world();
        w.add_observer(
            |_: On<Rewind>, clock: Res<Clock>, mut agenda: ResMut<Agenda>| {
                agenda.schedule(clock.now - 1.0, Tick(7));
            },
        );
        {
            let mut a = w.resource_mut::<Agenda>();
            a.schedule(1.0, Tick(1));
            a.schedule(5.0, Rewind);
            a.schedule(6.0, Tick(3));
        }
        assert_eq!(
            advance(&mut w, f64::INFINITY),
            3,
            "Tick 1, its follow-up, Rewind"
        );
        let fault = w.resource::<Agenda>().fault().cloned().expect("a fault");
        assert_eq!((fault.now, fault.time), (5.0, 4.0));
        assert!(fault.event.ends_with("Tick"), "{}", fault.event);
        assert!(fault.to_string().contains("in the past"), "{fault}");
        assert_eq!(w.resource::<Log>().0, vec![(1.0, 1), (1.0, 10)]);
        assert!(finished(&w), "a faulted run is over");
        assert_eq!(
            w.resource::<Clock>().now,
            5.0,
            "the clock stays at the fault"
        );
        assert_eq!(advance(&mut w, f64::INFINITY), 0, "and stays stopped");
    }

    #[test]
    fn an_event_at_infinity_or_nan_is_a_fault_not_an_event() {
        for bad in [f64::INFINITY, f64::NAN] {
            let mut w = world();
            w.resource_mut::<Agenda>().schedule(bad, Tick(1));
            assert!(w.resource::<Agenda>().is_empty(), "not scheduled");
            assert!(finished(&w));
            assert_eq!(advance(&mut w, f64::INFINITY), 0);
            let fault = w.resource::<Agenda>().fault().cloned().expect("a fault");
            assert!(fault.time.is_nan() || fault.time == f64::INFINITY);
        }
    }
}
