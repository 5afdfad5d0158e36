//! The loopback listener of one execution environment: lambdasim serves the Runtime API to each runtime process on
//! its own `127.0.0.1` port (`AWS_LAMBDA_RUNTIME_API`), so every request is known to come from that environment.
//!
//! Blocking `std::net`, no async runtime: an acceptor thread takes connections, one thread per connection reads
//! HTTP/1.1 requests (keep-alive or one connection per request, as the client likes) and hands each to the
//! simulation's thread through a channel, then writes back the response it gets. The simulation's thread, which
//! owns the environment's state, answers them one at a time; nothing else decides anything.

use std::io::BufReader;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// The open connections, by number: kept to close them when the environment ends.
type Conns = Arc<Mutex<std::collections::BTreeMap<u64, TcpStream>>>;

use super::http::{read_request, write_response, HttpRequest, HttpResponse};

/// A request waiting for its response.
#[derive(Debug)]
pub struct Incoming {
    /// The request.
    pub req: HttpRequest,
    reply: Sender<HttpResponse>,
}

impl Incoming {
    /// Send the response (the connection's thread writes it).
    pub fn respond(self, r: HttpResponse) {
        let _ = self.reply.send(r);
    }
}

/// What the connection threads report.
#[derive(Debug)]
pub enum Msg {
    /// A request.
    Request(Incoming),
    /// A connection ended (the process may have exited).
    Closed,
}

/// The listener of one environment and its threads.
#[derive(Debug)]
pub struct Server {
    /// `127.0.0.1:<port>`, the value of `AWS_LAMBDA_RUNTIME_API`.
    pub addr: SocketAddr,
    /// Requests from the runtime process.
    pub rx: Receiver<Msg>,
    conns: Conns,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl Server {
    /// Bind a fresh loopback port and start accepting.
    pub fn bind() -> std::io::Result<Server> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        let (tx, rx) = channel();
        let conns: Conns = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (c, s) = (conns.clone(), stop.clone());
        let acceptor =
            std::thread::Builder::new().name(format!("lambdasim-rapi-{}", addr.port())).spawn(move || accept_loop(listener, tx, c, s))?;
        Ok(Server { addr, rx, conns, stop, acceptor: Some(acceptor) })
    }

    /// Stop accepting and close every connection (their threads end).
    pub fn shutdown(&mut self) {
        if let Some(acceptor) = self.acceptor.take() {
            self.stop.store(true, Ordering::SeqCst);
            // wake the blocking accept; if that fails the thread is left blocked rather than waited for forever
            if TcpStream::connect_timeout(&self.addr, std::time::Duration::from_secs(1)).is_ok() {
                let _ = acceptor.join();
            }
        }
        if let Ok(mut conns) = self.conns.lock() {
            for (_, c) in std::mem::take(&mut *conns) {
                let _ = c.shutdown(std::net::Shutdown::Both);
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn accept_loop(listener: TcpListener, tx: Sender<Msg>, conns: Conns, stop: Arc<AtomicBool>) {
    let mut next_id = 0u64;
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        // requests and responses are small and strictly alternate: Nagle's algorithm would only delay them
        let _ = stream.set_nodelay(true);
        let Ok(keep) = stream.try_clone() else { continue };
        next_id += 1;
        let id = next_id;
        if let Ok(mut c) = conns.lock() {
            c.insert(id, keep);
        }
        let (tx, conns) = (tx.clone(), conns.clone());
        let spawned = std::thread::Builder::new().name("lambdasim-rapi-conn".into()).spawn(move || {
            serve_connection(stream, tx);
            if let Ok(mut c) = conns.lock() {
                c.remove(&id);
            }
        });
        if spawned.is_err() {
            continue;
        }
    }
}

fn serve_connection(stream: TcpStream, tx: Sender<Msg>) {
    let Ok(mut writer) = stream.try_clone() else { return };
    let mut reader = BufReader::new(stream);
    loop {
        let req = match read_request(&mut reader) {
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                let _ = write_response(&mut writer, &HttpResponse::error(400, "BadRequest", &e.to_string()), true);
                break;
            }
            Err(_) => break,
        };
        let close = req.close;
        let (reply, response) = channel();
        if tx.send(Msg::Request(Incoming { req, reply })).is_err() {
            break;
        }
        match response.recv() {
            Ok(r) => {
                if write_response(&mut writer, &r, close).is_err() || close {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    let _ = tx.send(Msg::Closed);
}
