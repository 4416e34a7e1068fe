; ipdesk Windows installer (NSIS 3, Unicode).
;
;   makensis -DVERSION=0.1.0 -DBUNDLE=../dist/ipdesk-0.1.0 -DOUTDIR=../dist packaging/ipdesk.nsi
; (relative paths are taken from this folder, packaging/, where makensis runs the script)
;
; Installs the PyInstaller folder into Program Files, adds Start-menu and desktop shortcuts and an uninstaller
; registered in 应用和功能. The user's data (the database, evidence files, keys, backups in %LOCALAPPDATA%\ipdesk\ipdesk)
; is never touched by installing or upgrading, and the uninstaller keeps it unless the user ticks the box to
; remove it as well.

; A 64-bit, Unicode installer: ipdesk's bundle is 64-bit and installs into the 64-bit Program Files (a 32-bit
; installer would need the 32-bit subsystem to run at all, and would see the 32-bit view of the registry).
Target amd64-unicode
ManifestDPIAware true
SetCompressor /SOLID lzma
RequestExecutionLevel admin

!ifndef VERSION
  !error "define VERSION, e.g. -DVERSION=0.1.0"
!endif
!ifndef BUNDLE
  !error "define BUNDLE, the folder PyInstaller made (dist\ipdesk-VERSION)"
!endif
!ifndef OUTDIR
  !define OUTDIR "."
!endif

!define APP "ipdesk"
!define APP_CN "ipdesk 知识产权强市建设工作填报"
!define PUBLISHER "ipdesk"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP}"

Name "${APP_CN}"
OutFile "${OUTDIR}/ipdesk-${VERSION}-setup.exe"
InstallDir "$PROGRAMFILES64\${APP}"
InstallDirRegKey HKLM "Software\${APP}" "InstallDir"
BrandingText "${APP} ${VERSION}"

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"
!include "nsDialogs.nsh"

!define MUI_ICON "../resources/icons/ipdesk.ico"
!define MUI_UNICON "../resources/icons/ipdesk.ico"
!define MUI_ABORTWARNING
!define MUI_WELCOMEPAGE_TITLE "欢迎安装 ipdesk ${VERSION}"
!define MUI_WELCOMEPAGE_TEXT "ipdesk 用于填报、审核和汇总知识产权强市建设示范城市工作方案的进展情况，不需要联网。$\r$\n$\r$\n安装或升级不会改动已有的填报数据。$\r$\n$\r$\n点击“下一步”继续。"
!define MUI_FINISHPAGE_RUN "$INSTDIR\ipdesk.exe"
!define MUI_FINISHPAGE_RUN_TEXT "立即启动 ipdesk"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_LICENSE "LICENSE.txt"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
UninstPage custom un.KeepDataPage un.KeepDataLeave
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "SimpChinese"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "ProductName" "ipdesk"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "FileDescription" "${APP_CN} 安装程序"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=${LANG_SIMPCHINESE} "LegalCopyright" "Apache-2.0"

Section "ipdesk" SecMain
  SectionIn RO
  ; An upgrade replaces the program files only; the user's data lives elsewhere.
  RMDir /r "$INSTDIR\_internal"
  SetOutPath "$INSTDIR"
  File /r "${BUNDLE}/*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateDirectory "$SMPROGRAMS\ipdesk"
  CreateShortCut "$SMPROGRAMS\ipdesk\ipdesk.lnk" "$INSTDIR\ipdesk.exe" "" "$INSTDIR\ipdesk.exe" 0
  CreateShortCut "$SMPROGRAMS\ipdesk\卸载 ipdesk.lnk" "$INSTDIR\uninstall.exe"
  CreateShortCut "$DESKTOP\ipdesk.lnk" "$INSTDIR\ipdesk.exe" "" "$INSTDIR\ipdesk.exe" 0

  WriteRegStr HKLM "Software\${APP}" "InstallDir" "$INSTDIR"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayName" "${APP_CN}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\ipdesk.exe"
  WriteRegStr HKLM "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKLM "${UNINST_KEY}" "EstimatedSize" "$0"
SectionEnd

; -- uninstaller: keep the user's data unless asked --------------------------------------------------------------
Var RemoveData
Var RemoveDataBox

Function un.KeepDataPage
  !insertmacro MUI_HEADER_TEXT "保留填报数据" "卸载程序本身不会删除您的填报数据。"
  nsDialogs::Create 1018
  Pop $0
  ${NSD_CreateLabel} 0 0 100% 48u "填报数据、佐证材料、签署密钥和备份保存在：$\r$\n$LOCALAPPDATA\ipdesk\ipdesk$\r$\n默认保留，以后重新安装即可继续使用。"
  Pop $0
  ${NSD_CreateCheckbox} 0 56u 100% 12u "同时删除所有填报数据、签署密钥和备份（不可恢复）"
  Pop $RemoveDataBox
  nsDialogs::Show
FunctionEnd

Function un.KeepDataLeave
  ${NSD_GetState} $RemoveDataBox $RemoveData
FunctionEnd

Section "Uninstall"
  Delete "$DESKTOP\ipdesk.lnk"
  RMDir /r "$SMPROGRAMS\ipdesk"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\ipdesk.exe"
  Delete "$INSTDIR\ipdesk-cli.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINST_KEY}"
  DeleteRegKey HKLM "Software\${APP}"
  ${If} $RemoveData == ${BST_CHECKED}
    RMDir /r "$LOCALAPPDATA\ipdesk"
  ${EndIf}
SectionEnd
