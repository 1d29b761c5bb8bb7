/**
 * Enumerations the spec defines, seeded into `dicts`: the one home of every such list.
 * Order (`o`) and labels (`v`) follow the spec's examples where it shows them.
 */
export interface DictSeed {
  realm: string;
  k: string;
  v: string;
  d?: string;
}

const destinationTypes: DictSeed[] = [
  ['FS_DEST_USER', 'USER'],
  ['FS_DEST_RING_EXTNS', 'RING_ALL_EXTN'],
  ['FS_DEST_GATEWAY', 'GATEWAY'],
  ['FS_DEST_USERGW', 'USERGW'],
  ['FS_DEST_SYSTEM', 'SYSTEM'],
  ['FS_DEST_IP', 'IP'],
  ['FS_DEST_IVRBLOCK', 'IVRBLOCK'],
  ['FS_DEST_CONFERENCE', 'CONFERENCE'],
  ['FS_DEST_CONFERENCE_ROOM', 'CONFERENCE_ROOM'],
  ['FS_DEST_MEETING', 'MEETING'],
  ['FS_DEST_MEETING_ROOM', 'MEETING_ROOM'],
  ['FS_DEST_USER_CONFERENCE', 'USER_CONFERENCE'],
  ['FS_DEST_DISTRIBUTORS', 'DISTRIBUTORS'],
  ['FS_DEST_CTI', 'CTI'],
  ['FS_DEST_NUM_QUEUE', 'NUM_QUEUE'],
  ['FS_DEST_SCRIPT', 'SCRIPT'],
  ['FS_DEST_IVR', 'IVR'],
  ['FS_DEST_CLUSTER_TRUNK', 'CLUSTER_TRUNK'],
  ['FS_DEST_CLUSTER_TRUNK_GROUP', 'CLUSTER_TRUNK_GROUP'],
  ['FS_DEST_SEQ_EXTNS', 'SEQ_EXTNS'],
].map(([k, v]) => ({ realm: 'DEST', k: k!, v: v! }));

const ivrActionTypes: DictSeed[] = [
  ['IVR_EXTENSION', '转分机'],
  ['IVR_QUEUE', '转队列'],
  ['IVR_MEETING_ROOM', '转预约会议'],
  ['IVR_CONFERENCE_ROOM', '转会议室'],
  ['IVR_CONFERENCE', '转临时会议'],
  ['IVR_SCRIPT', '转脚本'],
  ['IVR_SYSTEM', '高级指令'],
  ['IVR_ROUTE', '转路由'],
  ['IVR_PLAY', '播放语音文件'],
  ['IVR_TTS', '播放 TTS 语音'],
  ['IVR_SUB', '转下级菜单'],
  ['IVR_TOP', '返回上级菜单'],
  ['IVR_BACK', '返回主菜单'],
  ['IVR_EXIT', '退出'],
].map(([k, v]) => ({ realm: 'IVR_ACTION_TYPE', k: k!, v: v! }));

const functionCodeTypes: DictSeed[] = [
  ['FS_DEST_FUNC_CALL_FORWARDING', '设置无条件前转'],
  ['FS_DEST_FUNC_CALL_FORWARDING_CANCEL', '取消无条件前转'],
  ['FS_DEST_FUNC_CALL_FORWARD_BUSY', '设置遇忙前转'],
  ['FS_DEST_FUNC_CALL_FORWARD_BUSY_CANCEL', '取消遇忙前转'],
  ['FS_DEST_FUNC_CALL_FORWARD_WITHOUT_RESPONSE', '设置无应答前转'],
  ['FS_DEST_FUNC_CALL_FORWARD_WITHOUT_RESPONSE_CANCEL', '取消无应答前转'],
  ['FS_DEST_FUNC_CALL_DND', '设置免打扰'],
  ['FS_DEST_FUNC_CALL_DND_CANCEL', '取消免打扰'],
  ['FS_DEST_FORCE_INSERT', '强插'],
  ['FS_DEST_FORCE_BREAKDOWN', '强拆'],
  ['FS_DEST_EAVESDROP', '监听'],
  ['FS_DEST_LAST_INTERCEPT', '代答最近号码'],
  ['FS_DEST_DEST_INTERCEPT', '代答指定号码'],
  ['FS_DEST_FUNC_CALL_VOICEMAIL', '听取留言'],
  ['FS_DEST_FUNC_CALL_FIFO_BACK', '取回停泊号码'],
  ['FS_DEST_FUNC_CALL_RECORD', '录音'],
  ['FS_DEST_TIMELY_MEETING', '立即会议接入码'],
  ['FS_DEST_MCASTS', '组播'],
].map(([k, v]) => ({ realm: 'FUNC_CODE_TYPE', k: k!, v: v! }));

/** Codec names as FreeSWITCH spells them in absolute_codec_string. */
const codecs: DictSeed[] = ['PCMU', 'PCMA', 'G722', 'G729', 'OPUS', 'iLBC', 'GSM', 'H264', 'VP8', 'H263'].map(
  (name) => ({ realm: 'CODEC', k: name, v: name }),
);

const routeTypes: DictSeed[] = [
  ['0', '紧急呼叫'],
  ['1', '本局呼叫'],
  ['2', '本地呼叫'],
  ['3', '国内呼叫'],
  ['4', '国际呼叫'],
].map(([k, v]) => ({ realm: 'ROUTE_TYPE', k: k!, v: v! }));

export const dictSeeds: DictSeed[] = [
  ...destinationTypes,
  ...ivrActionTypes,
  ...functionCodeTypes,
  ...codecs,
  ...routeTypes,
];

export const contextSeeds = [
  { key: 'context-1', name: '分机', description: '本地分机发起的呼叫' },
  { key: 'context-2', name: '外部', description: '外部中继发起的呼叫' },
  { key: 'context-3', name: '技术部', description: '(示例)技术部发起的呼叫' },
  { key: 'context-4', name: '销售部', description: '(示例)销售部发起的呼叫' },
];
