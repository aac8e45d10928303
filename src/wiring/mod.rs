//! Putting the crates together: the services both kiosks share
//! (`services`), the developer window with simulated devices and the local
//! reference platform (`kiosk`), the installed kiosk (`production`), the
//! device threads (`devices`), and the scripted demo and headless
//! screenshots (`demo`, `screenshots`).

pub mod demo;
pub mod devices;
pub mod kiosk;
pub mod production;
pub mod screenshots;
pub mod services;
