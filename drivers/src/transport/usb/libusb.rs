//! The real USB backend: enumerate and open devices with libusb.

use super::descriptors::{
    TransferKind, UsbDeviceInfo, UsbEndpointInfo, UsbInterfaceInfo, class, find_bulk_pair,
    find_interrupt_in, find_sam_interface, is_boot_keyboard,
};
use super::{BulkTransport, InterruptReader, SamUsbTransport, UsbPipe};
use crate::transport::TransportError;
use rusb::{Context, Device, DeviceHandle, UsbContext};
use std::time::Duration;

fn usb_error(what: &str, error: rusb::Error) -> TransportError {
    match error {
        rusb::Error::NoDevice | rusb::Error::NotFound => {
            TransportError::Disconnected(format!("{what}: {error}"))
        }
        _ => TransportError::Io(format!("{what}: {error}")),
    }
}

/// Every USB device libusb can see (empty rather than an error when USB
/// is not accessible at all, e.g. in a container).
pub fn list_devices() -> Result<Vec<UsbDeviceInfo>, TransportError> {
    let context = Context::new().map_err(|e| usb_error("无法初始化USB (libusb init)", e))?;
    let devices = context
        .devices()
        .map_err(|e| usb_error("无法枚举USB设备", e))?;
    Ok(devices.iter().filter_map(|d| describe(&d).ok()).collect())
}

/// Copies a device's descriptors into plain structs.
pub fn describe<C: UsbContext>(device: &Device<C>) -> rusb::Result<UsbDeviceInfo> {
    let descriptor = device.device_descriptor()?;
    let mut interfaces = Vec::new();
    if let Ok(config) = device
        .active_config_descriptor()
        .or_else(|_| device.config_descriptor(0))
    {
        for interface in config.interfaces() {
            if let Some(alt) = interface.descriptors().next() {
                interfaces.push(UsbInterfaceInfo {
                    number: alt.interface_number(),
                    class: alt.class_code(),
                    subclass: alt.sub_class_code(),
                    protocol: alt.protocol_code(),
                    endpoints: alt
                        .endpoint_descriptors()
                        .map(|e| UsbEndpointInfo {
                            address: e.address(),
                            transfer: match e.transfer_type() {
                                rusb::TransferType::Control => TransferKind::Control,
                                rusb::TransferType::Isochronous => TransferKind::Isochronous,
                                rusb::TransferType::Bulk => TransferKind::Bulk,
                                rusb::TransferType::Interrupt => TransferKind::Interrupt,
                            },
                            max_packet_size: e.max_packet_size(),
                        })
                        .collect(),
                });
            }
        }
    }
    Ok(UsbDeviceInfo {
        bus: device.bus_number(),
        address: device.address(),
        vid: descriptor.vendor_id(),
        pid: descriptor.product_id(),
        class: descriptor.class_code(),
        interfaces,
    })
}

/// An opened device with one claimed interface.
pub struct RusbPipe {
    handle: DeviceHandle<Context>,
    info: UsbDeviceInfo,
}

impl RusbPipe {
    /// Opens the first device with `vid:pid` and claims `interface` of it,
    /// detaching a kernel driver (usblp, usbhid, cdc_acm) that holds it.
    pub fn open(
        vid: u16,
        pid: u16,
        interface: impl Fn(&UsbDeviceInfo) -> Option<u8>,
    ) -> Result<Self, TransportError> {
        let what = format!("USB设备{vid:04X}:{pid:04X}");
        let context = Context::new().map_err(|e| usb_error(&what, e))?;
        let devices = context.devices().map_err(|e| usb_error(&what, e))?;
        let device = devices
            .iter()
            .find(|d| {
                d.device_descriptor()
                    .is_ok_and(|dd| dd.vendor_id() == vid && dd.product_id() == pid)
            })
            .ok_or_else(|| TransportError::Disconnected(format!("{what}未连接 (not connected)")))?;
        let info = describe(&device).map_err(|e| usb_error(&what, e))?;
        let number = interface(&info).ok_or_else(|| {
            TransportError::Io(format!("{what}没有所需的接口 (no matching interface)"))
        })?;
        let handle = device.open().map_err(|e| usb_error(&what, e))?;
        // Auto-detach also re-attaches the kernel driver on release; where
        // libusb cannot do that, detach by hand.
        if handle.set_auto_detach_kernel_driver(true).is_err()
            && handle.kernel_driver_active(number).unwrap_or(false)
        {
            handle
                .detach_kernel_driver(number)
                .map_err(|e| usb_error(&what, e))?;
        }
        handle
            .claim_interface(number)
            .map_err(|e| usb_error(&what, e))?;
        Ok(RusbPipe { handle, info })
    }

    /// The device's descriptors.
    pub fn info(&self) -> &UsbDeviceInfo {
        &self.info
    }

    /// HID SET_PROTOCOL(boot) on `interface`: a keyboard then sends plain
    /// 8-byte boot reports whatever its report descriptor says (the
    /// kernel's usbhid, now detached, may have left it in report
    /// protocol).
    pub fn set_boot_protocol(&self, interface: u8) -> Result<(), TransportError> {
        // Class request, host to interface; bRequest 0x0B, wValue 0 = boot.
        self.handle
            .write_control(
                0x21,
                0x0B,
                0,
                u16::from(interface),
                &[],
                Duration::from_secs(1),
            )
            .map(|_| ())
            .map_err(|e| usb_error("HID SET_PROTOCOL", e))
    }

    fn transfer_kind(&self, endpoint: u8) -> TransferKind {
        self.info
            .interfaces
            .iter()
            .flat_map(|i| &i.endpoints)
            .find(|e| e.address == endpoint)
            .map_or(TransferKind::Bulk, |e| e.transfer)
    }
}

impl UsbPipe for RusbPipe {
    fn write(
        &mut self,
        endpoint: u8,
        data: &[u8],
        timeout: Duration,
    ) -> Result<usize, TransportError> {
        let result = match self.transfer_kind(endpoint) {
            TransferKind::Interrupt => self.handle.write_interrupt(endpoint, data, timeout),
            _ => self.handle.write_bulk(endpoint, data, timeout),
        };
        match result {
            Ok(n) => Ok(n),
            Err(rusb::Error::Timeout) => Ok(0),
            Err(e) => Err(usb_error("USB写入失败", e)),
        }
    }

    fn read(
        &mut self,
        endpoint: u8,
        buf: &mut [u8],
        timeout: Duration,
    ) -> Result<usize, TransportError> {
        // libusb treats a zero timeout as "wait forever".
        let timeout = timeout.max(Duration::from_millis(1));
        let result = match self.transfer_kind(endpoint) {
            TransferKind::Interrupt => self.handle.read_interrupt(endpoint, buf, timeout),
            _ => self.handle.read_bulk(endpoint, buf, timeout),
        };
        match result {
            Ok(n) => Ok(n),
            Err(rusb::Error::Timeout) => Ok(0),
            Err(e) => Err(usb_error("USB读取失败", e)),
        }
    }
}

/// Opens a SAM reader's USB variant (e.g. 0400:C35A).
pub fn open_sam_reader(vid: u16, pid: u16) -> Result<SamUsbTransport<RusbPipe>, TransportError> {
    RusbPipe::open(vid, pid, find_sam_interface).map(SamUsbTransport::new)
}

/// Opens a USB printer-class device's bulk endpoints.
pub fn open_printer(vid: u16, pid: u16) -> Result<BulkTransport<RusbPipe>, TransportError> {
    let pipe = RusbPipe::open(vid, pid, |info| {
        find_bulk_pair(info, Some(class::PRINTER)).map(|p| p.0)
    })?;
    let (_, endpoint_in, endpoint_out) = find_bulk_pair(pipe.info(), Some(class::PRINTER))
        .ok_or_else(|| TransportError::Io("打印机接口没有批量端点 (no bulk endpoints)".into()))?;
    Ok(BulkTransport::new(pipe, endpoint_in, endpoint_out))
}

/// Opens a HID scanner's interrupt IN endpoint for raw reports.
pub fn open_hid_reports(vid: u16, pid: u16) -> Result<InterruptReader<RusbPipe>, TransportError> {
    open_hid_scanner(vid, pid).map(|(reader, _)| reader)
}

/// Opens a HID scanner for reading: the first HID interface with an
/// interrupt IN endpoint, claimed (so the kernel no longer turns a
/// keyboard-mode scanner's codes into key presses on the kiosk's screen),
/// and that interface's descriptor, from which the caller picks the report
/// decoder. A boot keyboard interface is put in boot protocol.
pub fn open_hid_scanner(
    vid: u16,
    pid: u16,
) -> Result<(InterruptReader<RusbPipe>, UsbInterfaceInfo), TransportError> {
    let pipe = RusbPipe::open(vid, pid, |info| {
        find_interrupt_in(info, class::HID).map(|p| p.0)
    })?;
    let (number, endpoint, size) = find_interrupt_in(pipe.info(), class::HID)
        .ok_or_else(|| TransportError::Io("HID接口没有中断端点 (no interrupt endpoint)".into()))?;
    let interface = pipe
        .info()
        .interfaces
        .iter()
        .find(|i| i.number == number)
        .cloned()
        .ok_or_else(|| TransportError::Io("HID接口描述符缺失 (no interface descriptor)".into()))?;
    if is_boot_keyboard(&interface) {
        // Many scanners' report protocol is the boot layout anyway: not
        // being able to switch is worth a warning, not a refusal.
        if let Err(e) = pipe.set_boot_protocol(number) {
            log::warn!("USB扫码枪{vid:04X}:{pid:04X}: {e}");
        }
    }
    Ok((
        InterruptReader::new(pipe, endpoint, usize::from(size)),
        interface,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::Transport;

    fn is_transport<T: Transport + 'static>() {}

    #[test]
    fn usb_transports_can_run_on_device_threads() {
        // Compile-time: the manager moves transports to worker threads.
        is_transport::<SamUsbTransport<RusbPipe>>();
        is_transport::<BulkTransport<RusbPipe>>();
        is_transport::<InterruptReader<RusbPipe>>();
        fn is_send<T: Send>() {}
        is_send::<InterruptReader<RusbPipe>>();
    }

    #[test]
    fn listing_never_panics_without_usb_access() {
        // In containers libusb cannot initialise: an error, not a crash.
        match list_devices() {
            Ok(devices) => assert!(
                devices
                    .iter()
                    .all(|d| d.vid != 0 || d.pid != 0 || d.bus > 0)
            ),
            Err(e) => assert!(e.to_string().contains("USB")),
        }
    }
}
