//! Where a device is configured: a device path or a USB `VID:PID`.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// A configured device location.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DeviceAddress {
    /// A serial/CDC device node, ideally a stable udev symlink such as
    /// `/dev/onevisit-idreader` or `/dev/serial/by-id/...`.
    Path(PathBuf),
    /// A USB device by vendor and product ID (hex, as `lsusb` prints).
    Usb { vid: u16, pid: u16 },
}

/// Why a configured address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("设备地址为空 (empty device address)")]
    Empty,
    #[error(
        "“{0}”不是设备路径也不是 VID:PID，例如 /dev/ttyUSB0 或 0400:C35A (neither a path nor VID:PID)"
    )]
    Unrecognised(String),
    #[error("“{0}”中的 VID/PID 应为1-4位十六进制数 (VID and PID are 1-4 hex digits)")]
    BadHex(String),
}

impl FromStr for DeviceAddress {
    type Err = AddressError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.is_empty() {
            return Err(AddressError::Empty);
        }
        if text.starts_with('/') || text.starts_with('.') {
            return Ok(DeviceAddress::Path(PathBuf::from(text)));
        }
        let usb = text.strip_prefix("usb:").unwrap_or(text);
        let Some((vid, pid)) = usb.split_once(':') else {
            return Err(AddressError::Unrecognised(text.to_string()));
        };
        let hex = |part: &str| {
            let part = part.trim_start_matches("0x").trim_start_matches("0X");
            if part.is_empty() || part.len() > 4 {
                return None;
            }
            u16::from_str_radix(part, 16).ok()
        };
        match (hex(vid), hex(pid)) {
            (Some(vid), Some(pid)) => Ok(DeviceAddress::Usb { vid, pid }),
            _ => Err(AddressError::BadHex(text.to_string())),
        }
    }
}

impl fmt::Display for DeviceAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceAddress::Path(path) => write!(f, "{}", path.display()),
            DeviceAddress::Usb { vid, pid } => write!(f, "{vid:04X}:{pid:04X}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_usb_ids_parse() {
        assert_eq!(
            "/dev/ttyUSB0".parse(),
            Ok(DeviceAddress::Path("/dev/ttyUSB0".into()))
        );
        assert_eq!(
            "0400:C35A".parse(),
            Ok(DeviceAddress::Usb {
                vid: 0x0400,
                pid: 0xC35A
            })
        );
        assert_eq!(
            "usb:0x1fc9:0x2016".parse(),
            Ok(DeviceAddress::Usb {
                vid: 0x1FC9,
                pid: 0x2016
            })
        );
        assert_eq!(
            DeviceAddress::Usb {
                vid: 0x416,
                pid: 0x5011
            }
            .to_string(),
            "0416:5011"
        );
        assert_eq!("".parse::<DeviceAddress>(), Err(AddressError::Empty));
        assert_eq!(
            "ttyUSB0".parse::<DeviceAddress>(),
            Err(AddressError::Unrecognised("ttyUSB0".into()))
        );
        let err = "0400:C35AX".parse::<DeviceAddress>().unwrap_err();
        assert_eq!(err, AddressError::BadHex("0400:C35AX".into()));
        assert!(err.to_string().contains("十六进制"));
    }
}
