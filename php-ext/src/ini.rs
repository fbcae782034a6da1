//! ini settings of the extension.

use ext_php_rs::flags::IniEntryPermission;
use ext_php_rs::zend::{IniEntryDef, IniEntryDefs};

/// Absolute path of `modenv_properties.php`; empty = discover it (include_path, composer).
pub const PROPERTIES_FILE: &str = "paygent.properties_file";

static INI_ENTRIES: IniEntryDefs<2> = IniEntryDefs::new([
    IniEntryDef::new(c"paygent.properties_file", c"", IniEntryPermission::All),
    IniEntryDef::end(),
]);

pub fn register(module_number: i32) {
    IniEntryDef::register(INI_ENTRIES.as_slice(), module_number);
}
